"""The demo business's slots, and bookings that cannot collide whatever the concurrency."""

import asyncio
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tortoise import connections
from tortoise.transactions import in_transaction

from backend.scheduling import service as scheduling
from backend.scheduling.models import Booking, Slot
from backend.scheduling.seed import seed_business

ZONE = "America/New_York"
TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo(ZONE))


async def test_seeding_is_idempotent_and_follows_opening_hours(app):
    added = await seed_business(timezone=ZONE, today=TODAY)
    assert added > 1000
    assert await seed_business(timezone=ZONE, today=TODAY) == 0
    sunday = datetime.combine(date(2026, 11, 29), time.min, ZoneInfo(ZONE))
    assert not await Slot.filter(starts_at__gte=sunday, starts_at__lt=sunday + timedelta(days=1)).exists()
    saturday_slots = await scheduling.open_slots(
        connection=connections.get("default"),
        service="haircut",
        start=sunday - timedelta(days=1),
        end=sunday,
        now=NOW,
        timezone=ZONE,
        limit=100,
    )
    local = [slot.starts_at.astimezone(ZoneInfo(ZONE)) for slot in saturday_slots]
    assert min(local).time() == time(9, 0) and max(local).time() == time(13, 30)  # Saturday closes at 14:00


async def test_open_slots_filter_by_part_of_day_and_start_time(app):
    await seed_business(timezone=ZONE, today=TODAY)
    day = datetime.combine(date(2026, 11, 26), time.min, ZoneInfo(ZONE))
    afternoon = await scheduling.open_slots(
        connection=connections.get("default"),
        service="Massage",
        start=day,
        end=day + timedelta(days=1),
        now=NOW,
        timezone=ZONE,
        time_of_day="afternoon",
    )
    assert [slot.starts_at.astimezone(ZoneInfo(ZONE)).time() for slot in afternoon] == [
        time(hour) for hour in range(12, 17)
    ]  # Thursday: open to 19:00
    from_three = await scheduling.open_slots(
        connection=connections.get("default"),
        service="massage",
        start=day,
        end=day + timedelta(days=1),
        now=NOW,
        timezone=ZONE,
        from_time=time(15),
    )
    assert from_three[0].starts_at.astimezone(ZoneInfo(ZONE)).time() == time(15)


async def _book(slot_id: uuid.UUID, key: str) -> scheduling.BookingOutcome:
    async with in_transaction() as connection:
        return await scheduling.book_slot(
            connection=connection,
            slot_id=slot_id,
            customer_name="Racer",
            customer_phone=None,
            conversation_id=None,
            idempotency_key=key,
        )


async def test_twenty_concurrent_bookers_of_one_slot_make_one_booking(app):
    await seed_business(timezone=ZONE, today=TODAY)
    slot = await Slot.filter(service__name="massage").order_by("starts_at").first()
    outcomes = await asyncio.gather(*(_book(slot.id, f"run-{index}:1") for index in range(20)))
    assert sum(not outcome.slot_taken for outcome in outcomes) == 1
    assert sum(outcome.slot_taken for outcome in outcomes) == 19
    assert await Booking.filter(slot_id=slot.id).count() == 1


async def test_the_same_call_repeated_finds_its_booking(app):
    await seed_business(timezone=ZONE, today=TODAY)
    slot = await Slot.filter(service__name="haircut").order_by("starts_at").first()
    first = await _book(slot.id, "run-x:2")
    again = await _book(slot.id, "run-x:2")
    assert again.booking_id == first.booking_id and again.repeated and not again.slot_taken
    assert await Booking.all().count() == 1
