"""The rules policy's booking conversation: ask for what is missing, offer real slots, book the chosen one.

State keys it uses: service, date (ISO), time ("HH:MM"), time_of_day, name, phone, awaiting, offered
({slot id: local start ISO}), picked (an offered slot chosen by position or a yes), pending_slot (chosen,
waiting for a name), not_days and not_times (ISO dates and "HH:MM" times the customer ruled out: "any day but
Monday", "not at 9").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from backend.agent.policies import open_ended
from backend.agent.policies.base import TurnInput
from backend.agent.policies.phrasing import say_day, say_options, say_time
from backend.agent.tools.toolbox import ToolBox

OFFER_COUNT = 3
DONE_KEYS = (
    "intent",
    "date",
    "time",
    "time_of_day",
    "offered",
    "picked",
    "pending_slot",
    "not_days",
    "not_times",
    *open_ended.KEYS,
)
# How far "any day but Monday" or "something later" looks for open times.
SEARCH_DAYS = 7


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _distinct_times(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Two staff free at 9am are one option for the customer: offer distinct times.
    seen, distinct = set(), []
    for slot in slots:
        if slot["starts_at"] not in seen:
            seen.add(slot["starts_at"])
            distinct.append(slot)
    return distinct


async def book(turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
    """One step of the booking conversation."""
    if not state.get("service"):
        state["awaiting"] = "service"
        return f"Sure! Which service would you like: {say_options(turn.services)}?"
    chosen = state.get("pending_slot") or offered_at(state)
    if chosen in (state.get("offered") or {}):
        state["date"] = state["offered"][chosen][
            :10
        ]  # times offered over several days: the day is the slot's
    searched = open_ended.days_to_search(state)
    if searched is None and state.get("not_days") and not state.get("date_choices"):
        searched = (
            turn.now.date(),
            SEARCH_DAYS,
        )  # "any day but Monday": the first open times on the other days
    if searched is None:
        if state.get("date_choices"):
            return open_ended.which_day(state, today=turn.now.date())
        state["awaiting"] = "date"
        return f"Happy to book a {state['service']}. What day works for you?"
    day, days = searched
    if chosen is None and state.get("time") and state.get("date"):
        asked = time.fromisoformat(state["time"])
        chosen = await slot_at(tools, state, day, asked)
        if chosen is None:
            state.pop("time")
            return await offer(
                turn, tools, state, day, intro=f"{say_time(asked)} isn't available.", near=asked
            )
    if chosen is None:
        if state.get("offered"):
            return offer_again(turn, state)
        return await offer(turn, tools, state, day, days=days)
    if not state.get("name"):
        state["awaiting"], state["pending_slot"] = "name", chosen
        return "Great. What name should I put the booking under?"
    return await _confirm(turn, tools, state, chosen)


def offered_at(state: dict[str, Any]) -> str | None:
    """The offered slot the customer picked: by position or a yes, or by naming its time (and day, if they
    did).

    When the time named was offered on several days ("3pm" after "Monday 3pm or Tuesday 3pm") and no day was
    said, it picks none: the day is still to be said, and a guess is never booked.
    """
    offered = state.get("offered") or {}
    if state.get("picked") in offered:
        return state["picked"]
    wanted, day = state.get("time"), state.get("date")
    matching = [
        slot_id
        for slot_id, starts in offered.items()
        if wanted
        and datetime.fromisoformat(starts).strftime("%H:%M") == wanted
        and (day is None or starts[:10] == day)
    ]
    return matching[0] if len(matching) == 1 else None


def offered_in_order(state: dict[str, Any]) -> list[tuple[str, datetime]]:
    """The offered slots as the customer heard them: (slot id, local start), earliest first."""
    # Sorted here: the state is stored as jsonb, which does not keep the order keys were written in.
    return sorted(
        (
            (slot_id, datetime.fromisoformat(starts))
            for slot_id, starts in (state.get("offered") or {}).items()
        ),
        key=lambda item: item[1],
    )


async def slot_at(tools: ToolBox, state: dict[str, Any], day: date, at: time) -> str | None:
    """An open slot of the state's service starting exactly then, if there is one."""
    found = await tools.call(
        "check_availability",
        {
            "service": state["service"],
            "date_from": day.isoformat(),
            "from_time": at.strftime("%H:%M"),
            "limit": 1,
        },
    )
    for slot in found.get("slots", []):
        if datetime.fromisoformat(slot["starts_at"]).time() == at:
            return slot["slot_id"]
    return None


async def offer(
    turn: TurnInput,
    tools: ToolBox,
    state: dict[str, Any],
    day: date,
    *,
    days: int = 1,
    intro: str = "",
    near: time | None = None,
) -> str:
    """Offer up to three open times: the closest to `near` on the day, or the first ones (in the part of day
    asked).

    Days the customer ruled out are never offered; a search that starts on one starts on the next day instead.
    """
    not_days = set(state.get("not_days") or ())
    if days > 1:
        while day.isoformat() in not_days:
            day += timedelta(days=1)
    arguments: dict[str, Any] = {
        "service": state["service"],
        "date_from": day.isoformat(),
        "date_to": (day + timedelta(days=days - 1)).isoformat(),
        "limit": 20,
    }
    if state.get("time_of_day") and near is None:
        arguments["time_of_day"] = state["time_of_day"]
    narrowed = near is None and open_ended.narrows(state)
    if narrowed and (earliest := open_ended.earliest_start(state)):
        arguments["from_time"] = earliest.strftime("%H:%M")
    slots = await _open_slots(tools, state, arguments)
    if narrowed:
        fitting = [
            slot for slot in slots if open_ended.fits(state, datetime.fromisoformat(slot["starts_at"]))
        ]
        if not fitting:
            # Nothing open in the window asked for: say so and offer the closest times rather than guess one.
            when = open_ended.say_days(day, days, today=turn.now.date())
            intro = f"{intro} I have nothing {open_ended.say_window(state)} {when}."
            intro, near = intro.strip(), open_ended.anchor(state)
            open_ended.drop_window(state)
            arguments.pop("from_time", None)
            fitting = await _open_slots(tools, state, arguments)
        slots = fitting
    if near is not None:
        slots = sorted(
            slots,
            key=lambda slot: abs(_minutes(datetime.fromisoformat(slot["starts_at"]).time()) - _minutes(near)),
        )
    # A span the customer named is said as such; the days searched for "any day but Monday" are just the next
    # week.
    named = days == 1 or state.get("date_range")
    when = open_ended.say_days(day, days, today=turn.now.date()) if named else "in the next week"
    return _offer_these(turn, state, slots, intro=intro, nothing_when=when)


async def _open_slots(
    tools: ToolBox, state: dict[str, Any], arguments: dict[str, Any]
) -> list[dict[str, Any]]:
    """The open slots the tool finds, one per start time, on no day and at no time the customer ruled out."""
    found = (await tools.call("check_availability", arguments)).get("slots", [])
    return _distinct_times([slot for slot in found if _allowed(state, slot)])


def _allowed(state: dict[str, Any], slot: dict[str, Any]) -> bool:
    """Whether the slot is on no day and at no time the customer ruled out."""
    starts = slot["starts_at"]  # business-local ISO: "2030-01-11T09:00:00-05:00"
    return starts[:10] not in (state.get("not_days") or ()) and starts[11:16] not in (
        state.get("not_times") or ()
    )


def _offer_these(
    turn: TurnInput,
    state: dict[str, Any],
    slots: list[dict[str, Any]],
    *,
    intro: str = "",
    nothing_when: str = "",
    also: bool = False,
) -> str:
    # How many to offer is the prompt version's choice (front matter), so prompt experiments show in evals.
    slots = sorted(
        slots[: int(turn.prompt.options.get("offer_count", OFFER_COUNT))], key=lambda slot: slot["starts_at"]
    )
    state.pop("picked", None)
    if not slots:
        for replaced in ("date", "offered", *open_ended.KEYS):
            state.pop(replaced, None)
        state["awaiting"] = "date"
        return (
            f"{intro} I have no {state['service']} openings {nothing_when}. Would another day work?".strip()
        )
    state["offered"] = {slot["slot_id"]: slot["starts_at"] for slot in slots}
    return offer_again(turn, state, intro=intro, also=also)


async def other_times(turn: TurnInput, tools: ToolBox, state: dict[str, Any], *, direction: str) -> str:
    """Times other than those offered ("none of those", "anything later?", "earlier?"), in the part of day
    asked."""
    shown = offered_in_order(state)
    first, last = shown[0][1], shown[-1][1]
    earlier = direction == "earlier"
    # Earlier: the same day before the first offered; otherwise later that day first, then the next days.
    until = first.date() if earlier else last.date() + timedelta(days=SEARCH_DAYS - 1)
    arguments: dict[str, Any] = {
        "service": state["service"],
        "date_from": (first if earlier else last).date().isoformat(),
        "date_to": until.isoformat(),
        "limit": 20,
    }
    if state.get("time_of_day"):
        arguments["time_of_day"] = state["time_of_day"]
    found = _distinct_times((await tools.call("check_availability", arguments)).get("slots", []))
    slots = [
        slot
        for slot in found
        if _allowed(state, slot)
        and (
            datetime.fromisoformat(slot["starts_at"]) < first
            if earlier
            else datetime.fromisoformat(slot["starts_at"]) > last
        )
    ]
    if earlier:
        slots.reverse()  # the closest to what was offered first
    if not slots:
        return (
            f"Sorry, I have nothing {'earlier' if earlier else 'later'} for a {state['service']}. "
            f"{offer_again(turn, state)}"
        )
    if state.get("date") and slots[0]["starts_at"][:10] != state["date"]:
        state.pop("date")  # the next times are on another day
    return _offer_these(turn, state, slots, also=True)


def offer_again(turn: TurnInput, state: dict[str, Any], *, intro: str = "", also: bool = False) -> str:
    """Say the offered times (again) and wait for the customer's pick."""
    state["awaiting"] = "time"
    times, day = _offered_times(turn, state)
    where = f" {day}" if day else ""
    if not intro and state.get("name") and state["name"].split()[0].lower() in turn.text.lower():
        intro = f"Thanks, {state['name'].split()[0]}."  # they just told us their name; the time is still open
    can = "I can also do" if also else "I can do"
    return f"{intro} For a {state['service']}{where} {can} {say_options(times)}. Which works for you?".strip()


def which_one(turn: TurnInput, state: dict[str, Any]) -> str:
    """Ask which of the offered times, listing them again, when a yes could mean any of them."""
    state["awaiting"] = "time"
    times, _ = _offered_times(turn, state)
    return f"Which one would you like: {say_options(times)}?"


def _offered_times(turn: TurnInput, state: dict[str, Any]) -> tuple[list[str], str | None]:
    """The offered times as said ("9am", or "Tuesday, Jan 8 9am" when they span days), and their day if
    one."""
    today = turn.now.date()
    starts = [start for _, start in offered_in_order(state)]
    if all(start.date() == starts[0].date() for start in starts):
        return [say_time(start) for start in starts], say_day(starts[0].date(), today=today)
    return [f"{say_day(start.date(), today=today)} {say_time(start)}" for start in starts], None


async def _confirm(turn: TurnInput, tools: ToolBox, state: dict[str, Any], slot_id: str) -> str:
    phone = state.get("phone") or (turn.customer if turn.customer.startswith("+") else None)
    booked = await tools.call(
        "book_appointment",
        {"slot_id": slot_id, "customer_name": state["name"], **({"customer_phone": phone} if phone else {})},
    )
    state.pop("pending_slot", None)
    if booked.get("booked"):
        start = datetime.fromisoformat(booked["starts_at"])
        for key in DONE_KEYS:
            state.pop(key, None)
        state["last_booking"] = booked["booking_id"]
        return (
            f"You're booked, {state['name'].split()[0]}: {booked['service']} with {booked['staff']} "
            f"{say_day(start.date(), today=turn.now.date())} at {say_time(start)}. Reply here if you need "
            "to change it."
        )
    asked = datetime.fromisoformat(booked["starts_at"]).time() if booked.get("starts_at") else None
    state.pop("time", None)
    state.pop("offered", None)
    taken = f"Sorry, {say_time(asked)} was just taken." if asked else "Sorry, that time was just taken."
    day, days = open_ended.days_to_search(state) or (turn.now.date(), 1)
    return await offer(turn, tools, state, day, days=days, intro=taken, near=asked)
