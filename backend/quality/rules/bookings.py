"""booking_as_asked: a booking (or a move) lands on the day and time the customer asked for, or on one the
agent offered afterwards and the customer took.

The customer's words are read as the rules policy reads them (backend/agent/nlu), each message against its own
time: the latest message that named a day (a date, a span, "Monday or Friday") says which days are asked, the
latest that named a time (a time, a window, a part of the day) which times. A day or time the agent offered
after that message counts as asked too: the customer picked it ("the first one", "yes"). Days the customer
ruled out ("any day but Monday") are never asked. Applies only to turns whose booking or move succeeded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backend.agent.nlu import Understanding, understand
from backend.agent.nlu.choices import find_position
from backend.agent.nlu.dates import find_dates
from backend.agent.nlu.text import normalise
from backend.agent.nlu.times import find_times
from backend.quality.subject import ThreadLine, TurnSubject
from backend.quality.verdicts import Verdict

PARTS_OF_DAY = {
    "morning": (dt.time(0), dt.time(12)),
    "afternoon": (dt.time(12), dt.time(17)),
    "evening": (dt.time(17), dt.time(23, 59)),
}
MAX_LINES = 12  # the thread this far back is what the booking was asked in
# A day named by its weekday alone ("Tuesday") is read in whichever week the conversation meant ("next week, …
# Tuesday"): only the weekday is compared. A date ("the 15th", "Jan 15") is compared whole.
BARE_WEEKDAY = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\b", re.IGNORECASE)
EXACT_DAY = re.compile(
    r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b(?:today|tomorrow|"
    r"tmrw|tonight)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Heard:
    line: int  # position in the thread
    understanding: Understanding
    text: str

    @property
    def weekday_only(self) -> bool:
        return bool(BARE_WEEKDAY.search(self.text)) and not EXACT_DAY.search(self.text)


def _day_asked(said: _Heard, day: dt.date) -> bool:
    heard = said.understanding
    if heard.date is not None and heard.date_range is None:
        return heard.date.weekday() == day.weekday() if said.weekday_only else heard.date == day
    span = heard.date_range
    if span is None:
        return True
    return (day in span.choices) if span.choices else span.first <= day <= span.last


def _time_asked(heard: Understanding, start: dt.time) -> bool:
    if heard.time is not None:
        return heard.time == start
    if heard.time_window is not None:
        return heard.time_window.admits(start)
    if heard.time_of_day in PARTS_OF_DAY:
        earliest, latest = PARTS_OF_DAY[heard.time_of_day]
        return earliest <= start < latest
    return True


def _offered(
    lines: list[ThreadLine],
    after: int,
    *,
    now: dt.datetime,
    day: dt.date | None = None,
    start: dt.time | None = None,
) -> bool:
    """Whether an agent message after line `after` offered this day (or this time)."""
    for line in lines[after + 1 :]:
        if line.author != "AGENT":
            continue
        text = normalise(line.text)
        today = (line.at or now).astimezone(now.tzinfo).date()
        if day is not None and any(found.value == day for found in find_dates(text, today=today)):
            return True
        if start is not None and any(found.value == start for found in find_times(text)):
            return True
    return False


@dataclass(frozen=True)
class BookingAsAsked:
    name: ClassVar[str] = "booking_as_asked"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BookingAsAsked:
        _NoParams.model_validate(dict(params))
        return cls()

    def score(self, subject: TurnSubject) -> Verdict | None:
        made = [
            use
            for use in subject.succeeded("book_appointment", "reschedule_booking")
            if isinstance(use.result, dict) and use.result.get("starts_at")
        ]
        if not made:
            return None
        starts_at = made[-1].result["starts_at"]  # type: ignore[index]
        booked = dt.datetime.fromisoformat(starts_at).astimezone(subject.now.tzinfo)
        lines = [
            *subject.earlier[-(MAX_LINES - 1) :],
            ThreadLine("CUSTOMER", subject.customer_text, subject.now),
        ]
        heard = [
            _Heard(
                position,
                understand(
                    line.text,
                    now=(line.at or subject.now).astimezone(subject.now.tzinfo),
                    services=list(subject.services),
                ),
                line.text,
            )
            for position, line in enumerate(lines)
            if line.author == "CUSTOMER" and not _picks(lines, position)
        ]
        day, start = booked.date(), booked.time().replace(second=0, microsecond=0)
        for item in heard:
            if day in item.understanding.ruled_out_dates and not _offered(
                lines, item.line, now=subject.now, day=day
            ):
                return _mismatch("date_mismatch", f"booked {day:%a %b %d}, a day the customer ruled out")
        asked_day = next(
            (
                item
                for item in reversed(heard)
                if item.understanding.date is not None or item.understanding.date_range is not None
            ),
            None,
        )
        if (
            asked_day
            and not _day_asked(asked_day, day)
            and not _offered(lines, asked_day.line, now=subject.now, day=day)
        ):
            return _mismatch(
                "date_mismatch",
                f"booked {day:%a %b %d}; the customer asked for "
                f"{_said_day(asked_day.understanding)} and was not offered it",
            )
        asked_time = next(
            (
                item
                for item in reversed(heard)
                if item.understanding.time is not None
                or item.understanding.time_window is not None
                or item.understanding.time_of_day
            ),
            None,
        )
        if (
            asked_time
            and not _time_asked(asked_time.understanding, start)
            and not _offered(lines, asked_time.line, now=subject.now, start=start)
        ):
            return _mismatch(
                "time_mismatch",
                f"booked {start:%H:%M}; the customer asked for "
                f"{_said_time(asked_time.understanding)} and was not offered it",
            )
        return Verdict(
            score=1.0, label="as_asked", reason=f"booked {day:%a %b %d} at {start:%H:%M}, as asked or offered"
        )


def _picks(lines: list[ThreadLine], position: int) -> bool:
    """Whether the customer's message picks one of the options the agent's question just listed ("the 2nd
    one"): it names no day or time of its own, whatever a date reader would make of "the 2nd"."""
    before = lines[position - 1] if position else None
    return (
        before is not None
        and before.author == "AGENT"
        and "?" in before.text
        and find_position(normalise(lines[position].text)) is not None
    )


class _NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _mismatch(label: str, reason: str) -> Verdict:
    return Verdict(score=0.0, label=label, reason=reason)


def _said_day(heard: Understanding) -> str:
    if heard.date_range is not None:
        span = heard.date_range
        if span.choices:
            return " or ".join(f"{day:%a %b %d}" for day in span.choices)
        return f"{span.first:%b %d}–{span.last:%b %d}"
    return f"{heard.date:%a %b %d}"


def _said_time(heard: Understanding) -> str:
    if heard.time is not None:
        return f"{heard.time:%H:%M}"
    if heard.time_window is not None:
        window = heard.time_window
        if window.choices:
            return " or ".join(f"{t:%H:%M}" for t in window.choices)
        return f"{window.earliest or dt.time(0):%H:%M}–{window.latest or dt.time(23, 59):%H:%M}"
    return f"the {heard.time_of_day}"
