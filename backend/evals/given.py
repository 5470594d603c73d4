"""A golden case's `given:` world: bookings that exist before its first turn, made in the case's transaction.

Each given booking is booked in an earlier conversation of its customer (the case's own unless it names
another), so the agent finds it as it would find any booking of that customer. Its idempotency key is tied to
the case's transaction, which lets `final.given` find it again without the runner passing anything along.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.conversations.models import Conversation
from backend.evals.golden import EVAL_TIMEZONE, GivenBooking, GoldenCase
from backend.scheduling import service as scheduling
from backend.scheduling.models import Booking


class GivenError(ValueError):
    """A given booking that cannot be made (no such slot, or it is already taken)."""


async def create_given(*, connection: BaseDBAsyncClient, case: GoldenCase) -> None:
    """Book the case's given bookings for their customers before its first turn."""
    for number, wanted in enumerate(case.given.bookings if case.given else []):
        customer = wanted.customer or case.customer
        slot = await _free_slot(connection, wanted, now=case.clock)
        earlier = await Conversation.create(
            channel=case.channel,
            thread_key=f"eval-given-{uuid.uuid4()}",
            customer=customer,
            last_message_at=case.clock,
            using_db=connection,
        )
        await scheduling.book_slot(
            connection=connection,
            slot_id=slot.slot_id,
            customer_name=wanted.name,
            customer_phone=customer if customer.startswith("+") else None,
            conversation_id=earlier.id,
            idempotency_key=await _given_key(connection, number),
        )


async def given_misses(*, connection: BaseDBAsyncClient, case: GoldenCase) -> list[dict[str, Any]]:
    """What `final.bookings` and `final.given` expected and did not find."""
    final, misses = case.final, []
    if final is None:
        return misses
    if final.bookings is not None:
        upcoming = await scheduling.upcoming_bookings(
            connection=connection, customer=case.customer, now=case.clock, limit=100
        )
        if len(upcoming) != final.bookings:
            zone = ZoneInfo(EVAL_TIMEZONE)
            found = [
                f"{booking.service} {booking.starts_at.astimezone(zone):%Y-%m-%d %H:%M}"
                for booking in upcoming
            ]
            misses.append(_miss("bookings", final.bookings, found))
    for number, expected in enumerate(final.given or []):
        key = await _given_key(connection, number)
        status = (
            await Booking.filter(idempotency_key=key).using_db(connection).values_list("status", flat=True)
        )
        actual = [value.lower() for value in status]
        if actual != [expected]:
            misses.append(_miss(f"given[{number}]", expected, actual))
    return misses


def _miss(expectation: str, expected: Any, actual: Any) -> dict[str, Any]:
    return {"turn": "final", "expectation": expectation, "expected": expected, "actual": actual}


async def _free_slot(
    connection: BaseDBAsyncClient, wanted: GivenBooking, *, now: datetime
) -> scheduling.OpenSlot:
    start = datetime.combine(wanted.date, wanted.time, ZoneInfo(EVAL_TIMEZONE))
    free = await scheduling.open_slots(
        connection=connection,
        service=wanted.service,
        start=start,
        end=start + timedelta(minutes=1),
        now=now,
        timezone=EVAL_TIMEZONE,
        limit=20,
    )
    for slot in free:
        if wanted.staff is None or slot.staff.lower() == wanted.staff.lower():
            return slot
    staff = f" with {wanted.staff}" if wanted.staff else ""
    raise GivenError(f"given booking: no free future {wanted.service} slot{staff} at {start:%Y-%m-%d %H:%M}")


async def _given_key(connection: BaseDBAsyncClient, number: int) -> str:
    # The top-level transaction id: the same for the whole case, different for a case run at the same moment.
    rows = await connection.execute_query_dict("SELECT txid_current() AS txid")
    return f"eval-given:{rows[0]['txid']}:{number}"
