"""One customer message read by the rules: its intent and every detail it gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from backend.agent.intents import Intent
from backend.agent.nlu.date_ranges import DateRange, find_date_range, span_between, weekday_within
from backend.agent.nlu.dates import date_order, find_dates
from backend.agent.nlu.intent import HINT, IntentReading, classify_intent
from backend.agent.nlu.names import find_name
from backend.agent.nlu.negation import is_ruled_out, part_of_day_meant, ruled_out
from backend.agent.nlu.order_refs import find_order_ref
from backend.agent.nlu.phones import find_phone
from backend.agent.nlu.services import find_service
from backend.agent.nlu.text import Found, blank, blank_all, intended, normalise
from backend.agent.nlu.time_windows import TimeWindow, find_time_window
from backend.agent.nlu.times import find_hour_after_day, find_part_of_day, find_times

SLOTS = frozenset({"service", "date", "time", "name", "phone"})
# "Good morning" greets; it does not ask for a morning slot.
GREETING_WITH_PART_OF_DAY = re.compile(r"\bgood\s+(?:morning|afternoon|evening|night|day)\b", re.IGNORECASE)
# "haircut please", "a trim?", "I need a massage": a message that names a service and nothing else asks for
# it.
ASKING_WORDS = frozenset(
    "a an my some please pls thanks thank you hi hello hey i i'd i'm like want need needing get have can "
    "could would "
    "just quick for me one after looking yes yeah ok okay so to do you".split()
)


@dataclass(frozen=True)
class Understanding:
    intent: Intent
    confidence: float
    service: str | None
    date: dt.date | None
    time: dt.time | None
    time_of_day: str | None
    name: str | None
    phone: str | None
    order_ref: str | None
    # Open-ended answers, set only when no single date / time is given: "next week", "between 2 and 4".
    date_range: DateRange | None = None
    time_window: TimeWindow | None = None
    # Days the customer rules out ("any day but Monday"); `date` may be one of them when nothing else is
    # named.
    ruled_out_dates: tuple[dt.date, ...] = ()
    ruled_out_times: tuple[dt.time, ...] = ()  # "not at 9": never the time asked for
    text: str = ""  # the message as read: emoji, fillers and misspellings cleaned up
    rival: Intent | None = None  # a request heard as clearly as `intent` that excludes it: ask which is meant

    @property
    def carries_intent(self) -> bool:
        """Whether the message asks for something itself, rather than only answering the agent."""
        return self.confidence > HINT


def understand(
    text: str, *, now: dt.datetime, services: Sequence[str], expecting: str | None = None
) -> Understanding:
    """Read one customer message: its intent and any service, date, time, name, phone or order reference.

    `now` is timezone-aware in the business time zone; relative dates ("tomorrow", "Friday") are resolved
    against its date. `services` is the catalogue; a service is reported as the catalogue spells it.
    `expecting` names the slot the agent just asked for ("service", "date", "time", "name", "phone") so a bare
    answer like "3pm", "Friday", "the 5th" or "Maria Lopez" fills it.

    `intent` is always the intent the text itself carries. A message that only answers the agent ("3pm works
    for me", "yes", "Maria Lopez") carries none: it comes back as OUT_OF_SCOPE, or as the intent it merely
    hints at ("anything around 3pm?" hints at AVAILABILITY), with confidence at most 0.3, so the policy should
    keep the conversation's previous intent whenever `confidence <= 0.3`. `time_of_day` is only set when no
    specific time is given.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware, in the business time zone")
    if expecting is not None and expecting not in SLOTS:
        raise ValueError(f"`expecting` must be one of {sorted(SLOTS)} or None, not {expecting!r}")

    cleaned = normalise(text)
    order_ref = find_order_ref(cleaned)
    rest = blank(cleaned, order_ref)
    phone = find_phone(rest)
    rest = blank_all(blank(rest, phone), GREETING_WITH_PART_OF_DAY)
    part_of_day = part_of_day_meant(rest, find_part_of_day(rest))
    dates = find_dates(rest, today=now.date(), expecting=expecting, order=date_order(now.tzinfo))
    date = intended(dates, text=rest)
    not_these = ruled_out(rest, dates)  # "any day but Monday", "I can't do Friday"
    # "between the 3rd and the 6th", "Friday or Saturday"; a ruled-out day is no end of a span ("not Monday or
    # …").
    date_range = span_between(rest, [found for found in dates if found not in not_these])
    if date_range:
        date = None
    rest = blank(rest, *dates)
    date_range = date_range or find_date_range(rest, today=now.date())
    rest = blank(rest, date_range)
    if (
        date_range
    ):  # "next week, on Thursday": next week's Thursday; "next week but not Monday": next week's Monday
        if date and date in not_these:
            date = None  # the span is what is asked for; the named day is only ruled out of it
        elif date:
            date = _within(date, date_range.value, text=cleaned)
        not_these = [_within(found, date_range.value, text=cleaned) for found in not_these]
    window = find_time_window(
        rest, part_of_day=part_of_day.value if part_of_day else None, expecting=expecting
    )
    rest = blank(rest, window)
    times = find_times(rest, part_of_day=part_of_day, expecting=expecting)
    hour_after_day = find_hour_after_day(rest, dates) if not times else None
    time = intended([*times, *([hour_after_day] if hour_after_day else [])], text=rest)
    not_at = time if time is not None and is_ruled_out(rest, time) else None  # "Friday, not at 9"
    rest = blank(rest, *times, hour_after_day)
    time = None if not_at else time
    service = find_service(rest, services=services, expecting=expecting)
    name = find_name(blank(rest, service), expecting=expecting)

    found_any = (order_ref, phone, date, date_range, time, window, part_of_day, service, name)
    answers = any(found is not None for found in found_any)
    reading = classify_intent(
        cleaned,
        mentions_service=service is not None,
        mentions_when=any(found is not None for found in (date, date_range, time, window, part_of_day)),
        answers=answers,
    )
    asks_for_service = service is not None and expecting != "service" and _only_asks_for(cleaned, service)
    if asks_for_service and reading.intent == Intent.OUT_OF_SCOPE and reading.confidence < HINT:
        reading = IntentReading(Intent.BOOK, HINT)  # too weak to override an intent already under way
    return Understanding(
        intent=reading.intent,
        confidence=reading.confidence,
        service=service.value if service else None,
        date=date.value if date else None,
        time=time.value if time else None,
        time_of_day=part_of_day.value if part_of_day and time is None else None,
        date_range=date_range.value if date_range and date is None else None,
        time_window=window.value if window and time is None else None,
        name=name.value if name else None,
        phone=phone.value if phone else None,
        order_ref=order_ref.value if order_ref else None,
        ruled_out_dates=tuple(found.value for found in not_these),
        ruled_out_times=(not_at.value,) if not_at else (),
        text=cleaned,
        rival=reading.rival,
    )


def _only_asks_for(text: str, service: Found[str]) -> bool:
    """Whether the message is the service and polite or asking words only ("haircut please")."""
    words = re.findall(r"[\w']+", blank(text, service).lower())
    return all(word in ASKING_WORDS for word in words)


def _within(day: Found[dt.date], span: DateRange, *, text: str) -> Found[dt.date]:
    """The weekday found, moved into the span the customer also named (where it was said stays)."""
    return Found(weekday_within(day.value, span, text=text), day.start, day.end)
