"""A customer's bookings: found, cancelled and moved only by that customer, each change whole or not at
all."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.scheduling import service as scheduling
from backend.scheduling.models import Booking, BookingStatus, Slot
from backend.scheduling.seed import seed_business

ZONE = "America/New_York"
TODAY = date(2026, 11, 25)  # a Wednesday
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=ZoneInfo(ZONE))
PHONE = "+15550107001"


async def _slots(service: str, count: int) -> list[Slot]:
    return (
        await Slot.filter(service__name=service, starts_at__gt=NOW)
        .order_by("starts_at", "resource_id")
        .limit(count)
    )


async def _book(
    slot: Slot, *, phone: str | None = PHONE, conversation_id: uuid.UUID | None = None
) -> uuid.UUID:
    async with in_transaction() as connection:
        outcome = await scheduling.book_slot(
            connection=connection,
            slot_id=slot.id,
            customer_name="Ana Costa",
            customer_phone=phone,
            conversation_id=conversation_id,
            idempotency_key=f"run-{uuid.uuid4()}:1",
        )
    assert outcome.booking_id is not None
    return outcome.booking_id


async def _cancel(booking_id: uuid.UUID, *, customer: str = PHONE) -> scheduling.CancelOutcome:
    async with in_transaction() as connection:
        return await scheduling.cancel_booking(
            connection=connection, booking_id=booking_id, customer=customer, now=NOW
        )


async def _move(
    booking_id: uuid.UUID, slot: Slot, *, key: str = "run-m:1", customer: str = PHONE
) -> scheduling.RescheduleOutcome:
    async with in_transaction() as connection:
        return await scheduling.reschedule_booking(
            connection=connection,
            booking_id=booking_id,
            slot_id=slot.id,
            customer=customer,
            now=NOW,
            idempotency_key=key,
        )


async def _upcoming(customer: str = PHONE) -> list[scheduling.BookingDetails]:
    async with in_transaction() as connection:
        return await scheduling.upcoming_bookings(connection=connection, customer=customer, now=NOW, limit=10)


async def test_upcoming_bookings_are_the_customers_own_future_confirmed_ones_earliest_first(app):
    await seed_business(timezone=ZONE, today=TODAY - timedelta(days=2))
    chat = await Conversation.create(
        channel=Channel.CHAT, thread_key="t-chat", customer="chat-user-7", last_message_at=datetime.now(UTC)
    )
    haircut, massage = await _slots("haircut", 1), await _slots("massage", 3)
    later = await _book(massage[2])
    sooner = await _book(haircut[0])
    cancelled = await _book(massage[0])
    await _cancel(cancelled)
    past = await Slot.filter(service__name="haircut", starts_at__lt=NOW).order_by("-starts_at").first()
    await _book(past)
    await _book(massage[1], phone="+15550107999")  # someone else's
    by_chat = await _book(
        await Slot.filter(service__name="eye exam", starts_at__gt=NOW).first(),
        phone=None,
        conversation_id=chat.id,
    )

    assert [booking.booking_id for booking in await _upcoming()] == [sooner, later]
    assert [booking.service for booking in await _upcoming()] == ["haircut", "massage"]
    assert [booking.booking_id for booking in await _upcoming("chat-user-7")] == [by_chat]


async def test_cancelling_frees_the_slot_for_the_next_customer(app):
    await seed_business(timezone=ZONE, today=TODAY)
    (slot,) = await _slots("beard trim", 1)
    booking_id = await _book(slot)

    outcome = await _cancel(booking_id)

    assert outcome.cancelled and not outcome.already_cancelled and outcome.booking.service == "beard trim"
    stored = await Booking.get(id=booking_id)
    assert stored.status == BookingStatus.CANCELLED and stored.cancelled_at == NOW
    assert await _book(slot, phone="+15550107002")  # the partial unique index counts confirmed bookings only


async def test_cancelling_twice_answers_already_cancelled_and_changes_nothing_more(app):
    await seed_business(timezone=ZONE, today=TODAY)
    booking_id = await _book((await _slots("haircut", 1))[0])
    await _cancel(booking_id)
    first_cancelled_at = (await Booking.get(id=booking_id)).cancelled_at

    again = await _cancel(booking_id)

    assert again.cancelled and again.already_cancelled and again.refusal is None
    assert (await Booking.get(id=booking_id)).cancelled_at == first_cancelled_at


async def test_someone_elses_booking_cannot_be_cancelled_or_moved(app):
    await seed_business(timezone=ZONE, today=TODAY)
    first, second = await _slots("massage", 2)
    booking_id = await _book(first)

    cancel = await _cancel(booking_id, customer="+15550107999")
    move = await _move(booking_id, second, customer="+15550107999")

    assert not cancel.cancelled and cancel.refusal is scheduling.Refusal.NOT_FOUND and cancel.booking is None
    assert not move.rescheduled and move.refusal is scheduling.Refusal.NOT_FOUND
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1
    assert (await Booking.get(id=booking_id)).status == BookingStatus.CONFIRMED


async def test_a_booking_that_has_started_is_not_cancelled(app):
    await seed_business(timezone=ZONE, today=TODAY - timedelta(days=1))
    past = await Slot.filter(service__name="haircut", starts_at__lt=NOW).order_by("-starts_at").first()
    booking_id = await _book(past)

    outcome = await _cancel(booking_id)

    assert not outcome.cancelled and outcome.refusal is scheduling.Refusal.IN_THE_PAST
    assert (await Booking.get(id=booking_id)).status == BookingStatus.CONFIRMED


async def test_rescheduling_books_the_new_slot_and_cancels_the_old_one(app):
    await seed_business(timezone=ZONE, today=TODAY)
    first, second = await _slots("massage", 2)
    old_id = await _book(first)

    outcome = await _move(old_id, second)

    assert outcome.rescheduled and not outcome.repeated
    assert outcome.booking.slot_id == second.id and outcome.booking.customer_name == "Ana Costa"
    assert outcome.previous.booking_id == old_id and outcome.previous.status is BookingStatus.CANCELLED
    new = await Booking.get(id=outcome.booking.booking_id)
    assert new.rescheduled_from_id == old_id and new.customer_phone == PHONE
    assert (await Booking.get(id=old_id)).status == BookingStatus.CANCELLED
    assert [booking.booking_id for booking in await _upcoming()] == [new.id]


async def test_rescheduling_to_a_taken_slot_changes_nothing(app):
    await seed_business(timezone=ZONE, today=TODAY)
    first, second = await _slots("massage", 2)
    old_id = await _book(first)
    await _book(second, phone="+15550107999")

    outcome = await _move(old_id, second)

    assert (
        not outcome.rescheduled
        and outcome.refusal is scheduling.Refusal.SLOT_TAKEN
        and outcome.booking is None
    )
    assert (await Booking.get(id=old_id)).status == BookingStatus.CONFIRMED
    assert await Booking.all().count() == 2


async def test_a_repeated_reschedule_finds_its_own_result(app):
    await seed_business(timezone=ZONE, today=TODAY)
    first, second = await _slots("massage", 2)
    old_id = await _book(first)

    done = await _move(old_id, second, key="run-r:3")
    again = await _move(old_id, second, key="run-r:3")

    assert again.rescheduled and again.repeated
    assert again.booking.booking_id == done.booking.booking_id and again.previous.booking_id == old_id
    assert (
        await Booking.all().count() == 2 and await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1
    )


async def test_two_moves_of_one_booking_at_once_make_one_new_booking(app):
    await seed_business(timezone=ZONE, today=TODAY)
    first, second, third = await _slots("massage", 3)
    old_id = await _book(first)

    outcomes = await asyncio.gather(_move(old_id, second, key="run-a:1"), _move(old_id, third, key="run-b:1"))

    assert sorted(outcome.rescheduled for outcome in outcomes) == [False, True]
    assert [outcome.refusal for outcome in outcomes if not outcome.rescheduled] == [
        scheduling.Refusal.NOT_CONFIRMED
    ]
    assert await Booking.filter(status=BookingStatus.CONFIRMED).count() == 1


async def test_a_move_keeps_the_service_and_needs_another_future_slot(app):
    await seed_business(timezone=ZONE, today=TODAY - timedelta(days=1))
    first, second = await _slots("massage", 2)
    old_id = await _book(first)
    past = await Slot.filter(service__name="massage", starts_at__lt=NOW).first()
    haircut = (await _slots("haircut", 1))[0]

    refusals = [
        (await _move(old_id, slot, key=f"run-s:{n}")).refusal for n, slot in enumerate((haircut, past, first))
    ]

    assert refusals == [
        scheduling.Refusal.OTHER_SERVICE,
        scheduling.Refusal.SLOT_IN_THE_PAST,
        scheduling.Refusal.SAME_SLOT,
    ]
    assert (
        await Booking.all().count() == 1 and (await Booking.get(id=old_id)).status == BookingStatus.CONFIRMED
    )
    await _cancel(old_id)
    assert (await _move(old_id, second, key="run-s:9")).refusal is scheduling.Refusal.NOT_CONFIRMED
