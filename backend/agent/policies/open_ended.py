"""Open-ended answers in the booking conversation: a span of days ("next week") and a window of start times
("between 2 and 4", "after 3", "3 or 4").

When unsure, ask: neither is ever booked as it stands. The agent searches the whole span, offers the open
times that fit the window, and books only a time the customer then picks (booking_flow). A single day or clock
time said later replaces the span or window it narrows.

State keys: date_range ([first, last], ISO dates) and window ({"earliest", "latest", "choices"}, "HH:MM").
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from backend.agent.nlu import Understanding
from backend.agent.nlu.date_ranges import DateRange, weekday_within
from backend.agent.policies.phrasing import say_day, say_options, say_time

KEYS = ("date_range", "date_choices", "window")


def remember(heard: Understanding, state: dict[str, Any], *, text: str) -> None:
    """Keep the span or window the customer just gave, dropping what it replaces (and the times offered for
    it)."""
    if heard.date:
        if state.get("date_range"):
            state["date"] = within_span(state, heard.date, text=text).isoformat()
        state.pop("date_range", None)
        state.pop("date_choices", None)
    elif heard.date_range and heard.date_range.choices:
        # "Monday or Friday": the days between were not asked for, so ask which of the two (see which_day).
        state["date_choices"] = [day.isoformat() for day in heard.date_range.choices]
        for replaced in ("date", "date_range", "offered", "pending_slot"):
            state.pop(replaced, None)
    elif heard.date_range:
        span = [heard.date_range.first.isoformat(), heard.date_range.last.isoformat()]
        if span != state.get("date_range"):
            state.pop("offered", None)
            state.pop("pending_slot", None)
        state["date_range"] = span
        state.pop("date", None)
        state.pop("date_choices", None)
    if heard.time:
        state.pop("window", None)
    elif heard.time_window:
        window = heard.time_window
        state["window"] = {
            "earliest": window.earliest.strftime("%H:%M") if window.earliest else None,
            "latest": window.latest.strftime("%H:%M") if window.latest else None,
            "choices": [choice.strftime("%H:%M") for choice in window.choices],
        }
        for replaced in ("time", "offered", "pending_slot"):
            state.pop(replaced, None)


def within_span(state: dict[str, Any], day: date, *, text: str) -> date:
    """A weekday said while choosing within the span ("Tuesday" after "next week"): the span's, not the coming
    one."""
    if not state.get("date_range"):
        return day
    span = DateRange(*(date.fromisoformat(first_or_last) for first_or_last in state["date_range"]))
    return weekday_within(day, span, text=text)


def which_day(state: dict[str, Any], *, today: date) -> str:
    """The question for days given as a choice: "Which day suits you better: Monday, Jan 7 or Friday, Jan
    11?"."""
    state["awaiting"] = "date"
    days = [say_day(date.fromisoformat(day), today=today) for day in state["date_choices"]]
    return f"Happy to book a {state['service']}. Which day suits you better: {say_options(days)}?"


def days_to_search(state: dict[str, Any]) -> tuple[date, int] | None:
    """The first day to search and how many days: the chosen date, or the span, or None when neither is
    known."""
    if state.get("date"):
        return date.fromisoformat(state["date"]), 1
    if state.get("date_range"):
        first, last = (date.fromisoformat(day) for day in state["date_range"])
        return first, (last - first).days + 1
    return None


def earliest_start(state: dict[str, Any]) -> time | None:
    """The earliest start time worth asking the availability tool for, if the window or a time over a span
    sets one."""
    window = state.get("window") or {}
    starts = [
        time.fromisoformat(value) for value in (window.get("choices") or [window.get("earliest")]) if value
    ]
    if not starts and state.get("time") and not state.get("date"):
        starts = [time.fromisoformat(state["time"])]
    return min(starts, default=None)


def anchor(state: dict[str, Any]) -> time | None:
    """The time the window is about, to offer the closest open times when nothing inside it is free."""
    latest = (state.get("window") or {}).get("latest")
    return earliest_start(state) or (time.fromisoformat(latest) if latest else None)


def drop_window(state: dict[str, Any]) -> None:
    """Forget the window (or the time over a span) once it is known that nothing fits it."""
    state.pop("window", None)
    if not state.get("date"):
        state.pop("time", None)


def fits(state: dict[str, Any], start: datetime) -> bool:
    """Whether an open slot starting then is one the customer's window (or time over a span) admits."""
    at = start.time().replace(tzinfo=None)
    window = state.get("window")
    if window:
        if window.get("choices"):
            return at.strftime("%H:%M") in window["choices"]
        earliest, latest = window.get("earliest"), window.get("latest")
        return (not earliest or at >= time.fromisoformat(earliest)) and (
            not latest or at < time.fromisoformat(latest)
        )
    if state.get("time") and not state.get("date"):
        return at.strftime("%H:%M") == state["time"]  # "next week at 3pm": 3pm on any day of the span
    return True


def narrows(state: dict[str, Any]) -> bool:
    """Whether the offer is limited by a window (or a time over a span), so an empty offer can say why."""
    return bool(state.get("window")) or bool(state.get("time") and not state.get("date"))


def say_window(state: dict[str, Any]) -> str:
    """ "between 2pm and 4pm", "after 3pm" (3pm included), "before 11am", "at 3pm or 4pm"."""
    window = state.get("window") or {}
    if window.get("choices"):
        return "at " + say_options([say_time(time.fromisoformat(choice)) for choice in window["choices"]])
    earliest, latest = window.get("earliest"), window.get("latest")
    if earliest and latest:
        return f"between {say_time(time.fromisoformat(earliest))} and {say_time(time.fromisoformat(latest))}"
    if earliest:
        return f"after {say_time(time.fromisoformat(earliest))}"
    if latest:
        return f"before {say_time(time.fromisoformat(latest))}"
    return f"at {say_time(time.fromisoformat(state['time']))}" if state.get("time") else ""


def say_days(first: date, days: int, *, today: date) -> str:
    """ "today", "on Friday, Jan 11" or "between Monday, Jan 14 and Sunday, Jan 20"."""
    if days <= 1:
        said = say_day(first, today=today)
        return said if said in ("today", "tomorrow") else f"on {said}"
    last = date.fromordinal(first.toordinal() + days - 1)
    return f"between {say_day(first, today=today)} and {say_day(last, today=today)}"


def forget(state: dict[str, Any]) -> None:
    for key in KEYS:
        state.pop(key, None)
