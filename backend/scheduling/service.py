"""Finding open slots and booking them. Each function takes the connection of the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time

from tortoise.backends.base.client import BaseDBAsyncClient

# Parts of the day, in business-local hours [start, end).
TIME_OF_DAY_HOURS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


@dataclass(frozen=True)
class OpenSlot:
    slot_id: uuid.UUID
    service: str
    staff: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BookingOutcome:
    booking_id: uuid.UUID | None
    slot_taken: bool
    repeated: bool  # the same call had already booked it (a retried job)


_OPEN_SLOTS = """
SELECT s.id, sv.name AS service, r.name AS staff, s.starts_at, s.ends_at
FROM slots s
JOIN services sv ON sv.id = s.service_id
JOIN resources r ON r.id = s.resource_id
WHERE lower(sv.name) = lower($1) AND s.starts_at >= $2 AND s.starts_at < $3 AND s.starts_at > $4
  AND (extract(hour FROM s.starts_at AT TIME ZONE $5) * 60 + extract(minute FROM s.starts_at AT TIME ZONE $5))
      BETWEEN $6 AND $7 - 1
  AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.status = 'CONFIRMED')
ORDER BY s.starts_at, r.name
LIMIT $8
"""
_INSERT_BOOKING = """
INSERT INTO bookings (id, slot_id, conversation_id, customer_name, customer_phone, status, idempotency_key, created_at)
VALUES ($1, $2, $3, $4, $5, 'CONFIRMED', $6, now())
ON CONFLICT DO NOTHING
RETURNING id
"""


async def open_slots(
    *,
    connection: BaseDBAsyncClient,
    service: str,
    start: datetime,
    end: datetime,
    now: datetime,
    timezone: str,
    time_of_day: str | None = None,
    from_time: time | None = None,
    limit: int = 5,
) -> list[OpenSlot]:
    """Unbooked future slots of a service starting in [start, end), optionally in one part of the day or later."""
    first_hour, last_hour = TIME_OF_DAY_HOURS.get(time_of_day or "", (0, 24))
    first_minute = first_hour * 60
    if from_time is not None:
        first_minute = max(first_minute, from_time.hour * 60 + from_time.minute)
    rows = await connection.execute_query_dict(
        _OPEN_SLOTS, [service, start, end, now, timezone, first_minute, last_hour * 60, limit]
    )
    return [
        OpenSlot(slot_id=row["id"], service=row["service"], staff=row["staff"], starts_at=row["starts_at"], ends_at=row["ends_at"])
        for row in rows
    ]


async def slot_details(*, connection: BaseDBAsyncClient, slot_id: uuid.UUID) -> OpenSlot | None:
    """A slot with its service and staff names, booked or not."""
    rows = await connection.execute_query_dict(
        "SELECT s.id, sv.name AS service, r.name AS staff, s.starts_at, s.ends_at FROM slots s"
        " JOIN services sv ON sv.id = s.service_id JOIN resources r ON r.id = s.resource_id WHERE s.id = $1",
        [slot_id],
    )
    if not rows:
        return None
    row = rows[0]
    return OpenSlot(slot_id=row["id"], service=row["service"], staff=row["staff"], starts_at=row["starts_at"], ends_at=row["ends_at"])


async def book_slot(
    *,
    connection: BaseDBAsyncClient,
    slot_id: uuid.UUID,
    customer_name: str,
    customer_phone: str | None,
    conversation_id: uuid.UUID | None,
    idempotency_key: str,
) -> BookingOutcome:
    """Book a slot once: a second booking of the slot is refused by the database, a repeated call finds its own."""
    previous = await connection.execute_query_dict("SELECT id FROM bookings WHERE idempotency_key = $1", [idempotency_key])
    if previous:
        return BookingOutcome(booking_id=previous[0]["id"], slot_taken=False, repeated=True)
    # Concurrent bookers of one slot wait on the partial unique index; all but the first find DO NOTHING.
    inserted = await connection.execute_query_dict(
        _INSERT_BOOKING, [uuid.uuid4(), slot_id, conversation_id, customer_name, customer_phone, idempotency_key]
    )
    if inserted:
        return BookingOutcome(booking_id=inserted[0]["id"], slot_taken=False, repeated=False)
    return BookingOutcome(booking_id=None, slot_taken=True, repeated=False)
