"""Booking or availability calls for a time already past or when the business is closed.

Opening hours are read in `now`'s time zone, which must be the business's. For a call that books a slot
(any tool with a `slot_id` argument: book_appointment, reschedule_booking) the slot's start is judged (its
end is not known here); for check_availability the requested days and `from_time` are, and the call fires
only when no requested day has any open time left. Arguments that do not parse are left to `tool_schema`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any, ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, ToolCall, ToolRule

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_RANGE_DAYS = 31  # as the tool itself allows


@dataclass(frozen=True)
class BookingOutsideHours(ToolRule):
    name: ClassVar[str] = "booking_outside_hours"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.TOOL})

    min_lead_minutes: int  # how soon from now a booking may start

    @classmethod
    def from_params(cls, params: Params) -> BookingOutsideHours:
        return cls(min_lead_minutes=params.integer("min_lead_minutes", default=0))

    def check(self, call: ToolCall) -> list[Hit]:
        if call.now.tzinfo is None:
            raise ValueError("now must be timezone-aware (the business's zone)")
        if "slot_id" in call.arguments:
            return self._check_booking(call)
        if call.name == "check_availability":
            return self._check_availability(call)
        return []

    def _check_booking(self, call: ToolCall) -> list[Hit]:
        if call.slot_start is None:
            return []
        # A naive start is taken as business-local, as slots are shown to customers.
        start = call.slot_start if call.slot_start.tzinfo else call.slot_start.replace(tzinfo=call.now.tzinfo)
        local = start.astimezone(call.now.tzinfo)
        earliest = call.now + timedelta(minutes=self.min_lead_minutes)
        if local <= earliest:
            lead = f" or within {self.min_lead_minutes} minutes" if self.min_lead_minutes else ""
            when = f"{local:%Y-%m-%d %H:%M}"
            return [Hit(message=f"{call.name} for a slot starting {when}, which is in the past{lead}")]
        day = f"{WEEKDAYS[local.weekday()]} {local:%Y-%m-%d}"
        hours = call.hours.get(local.weekday())
        if hours is None:
            return [Hit(message=f"{call.name} on {day}, when the business is closed")]
        opens, closes = hours
        if not opens <= local.time().replace(tzinfo=None) < closes:
            opening = f"{opens:%H:%M}-{closes:%H:%M}"
            return [Hit(message=f"{call.name} at {local:%H:%M} on {day}, outside opening hours {opening}")]
        return []

    def _check_availability(self, call: ToolCall) -> list[Hit]:
        first = _parse(date.fromisoformat, call.arguments.get("date_from"))
        last = _parse(date.fromisoformat, call.arguments.get("date_to")) or first
        from_time = _parse(time.fromisoformat, call.arguments.get("from_time"))
        if first is None or last is None or last < first:
            return []
        today = call.now.date()
        if last < today:
            return [
                Hit(
                    message=f"check_availability for {first:%Y-%m-%d} to {last:%Y-%m-%d}, which is in the "
                    "past"
                )
            ]
        days = [
            first + timedelta(days=offset) for offset in range(min((last - first).days, MAX_RANGE_DAYS) + 1)
        ]
        if any(self._has_open_time(call, day, from_time) for day in days if day >= today):
            return []
        after = f" from {from_time:%H:%M}" if from_time else ""
        return [
            Hit(
                message=f"check_availability for {first:%Y-%m-%d} to {last:%Y-%m-%d}{after}, "
                "when the business is closed or the time has passed"
            )
        ]

    def _has_open_time(self, call: ToolCall, day: date, from_time: time | None) -> bool:
        hours = call.hours.get(day.weekday())
        if hours is None:
            return False
        opens, closes = hours
        earliest = max(opens, from_time or opens)
        if day == call.now.date():
            earliest = max(
                earliest, (call.now + timedelta(minutes=self.min_lead_minutes)).time().replace(tzinfo=None)
            )
        return earliest < closes


def _parse(parser: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return None
    try:
        return parser(value)
    except ValueError:
        return None
