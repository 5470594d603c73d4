"""How the rules policy says things: times and days in the business's words, lists of options."""

from __future__ import annotations

from datetime import date, datetime, time


def say_time(moment: datetime | time) -> str:
    """3:00pm → "3pm", 15:30 → "3:30pm"."""
    text = moment.strftime("%I:%M%p").lstrip("0").lower()
    return text.replace(":00", "")


def say_day(day: date, *, today: date) -> str:
    """ "today", "tomorrow", or "Friday, Dec 4"."""
    if day == today:
        return "today"
    if (day - today).days == 1:
        return "tomorrow"
    return f"{day:%A}, {day:%b} {day.day}"


def on_day(day: date, *, today: date) -> str:
    """ "Today", "Tomorrow" or "On Friday, Dec 4": the start of a sentence about that day."""
    said = say_day(day, today=today)
    return said.capitalize() if said in ("today", "tomorrow") else f"On {said}"


def say_on_day(day: date, *, today: date) -> str:
    """ "today", "tomorrow" or "on Friday, Dec 4": a day in the middle of a sentence."""
    said = say_day(day, today=today)
    return said if said in ("today", "tomorrow") else f"on {said}"


def say_when(start: datetime, *, today: date) -> str:
    """ "tomorrow at 3pm" or "on Friday, Dec 4 at 3:30pm"."""
    return f"{say_on_day(start.date(), today=today)} at {say_time(start)}"


def say_options(items: list[str], *, last: str = "or") -> str:
    """a, b or c (or "a, b and c" with last="and")."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def say_hours(hours: tuple[time, time] | None) -> str:
    if hours is None:
        return "closed"
    return f"open {say_time(hours[0])}–{say_time(hours[1])}"
