"""One customer message read by the rules: its intent and every detail it gives."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from backend.agent.intents import Intent
from backend.agent.nlu.dates import find_dates
from backend.agent.nlu.intent import HINT, classify_intent
from backend.agent.nlu.names import find_name
from backend.agent.nlu.negation import is_ruled_out, part_of_day_meant, ruled_out
from backend.agent.nlu.order_refs import find_order_ref
from backend.agent.nlu.phones import find_phone
from backend.agent.nlu.services import find_service
from backend.agent.nlu.text import blank, blank_all, intended, normalise
from backend.agent.nlu.times import find_part_of_day, find_time

SLOTS = frozenset({"service", "date", "time", "name", "phone"})
# "Good morning" greets; it does not ask for a morning slot.
GREETING_WITH_PART_OF_DAY = re.compile(r"\bgood\s+(?:morning|afternoon|evening|night|day)\b", re.IGNORECASE)


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
    # Days the customer rules out ("any day but Monday"); `date` may be one of them when nothing else is named.
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
    dates = find_dates(rest, today=now.date(), expecting=expecting)
    date = intended(dates, text=rest)
    not_these = ruled_out(rest, dates)
    rest = blank(rest, *dates)
    time = find_time(rest, part_of_day=part_of_day, expecting=expecting)
    not_at = time if time is not None and is_ruled_out(rest, time) else None  # "Friday, not at 9"
    rest = blank(rest, time)
    time = None if not_at else time
    service = find_service(rest, services=services, expecting=expecting)
    name = find_name(blank(rest, service), expecting=expecting)

    answers = any(found is not None for found in (order_ref, phone, date, time, part_of_day, service, name))
    reading = classify_intent(
        cleaned,
        mentions_service=service is not None,
        mentions_when=any(found is not None for found in (date, time, part_of_day)),
        answers=answers,
    )
    return Understanding(
        intent=reading.intent,
        confidence=reading.confidence,
        service=service.value if service else None,
        date=date.value if date else None,
        time=time.value if time else None,
        time_of_day=part_of_day.value if part_of_day and time is None else None,
        name=name.value if name else None,
        phone=phone.value if phone else None,
        order_ref=order_ref.value if order_ref else None,
        ruled_out_dates=tuple(found.value for found in not_these),
        ruled_out_times=(not_at.value,) if not_at else (),
        text=cleaned,
        rival=reading.rival,
    )
