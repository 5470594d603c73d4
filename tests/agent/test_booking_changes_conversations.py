"""Customers finding, cancelling and moving the bookings they hold, with the rules policy on the real tables.

The clock is the eval clock (Monday 2030-01-07 09:00 in New York): Friday is Jan 11, Thursday Jan 10.
"""

import uuid
from datetime import time, timedelta

from backend.agent.models import ToolCall
from backend.agent.setup import build_agent
from backend.conversations.models import Conversation, MessageAuthor
from backend.core.enums import Channel
from backend.evals.golden import EVAL_NOW
from backend.evals.runner import prepare_eval_business
from backend.scheduling.models import Booking, BookingStatus
from backend.tickets.models import Ticket
from backend.turns.sandbox import sandbox, sandboxed_turn
from tests.agent.helpers import ZONE, hold_booking

PHONE = "+15550107100"
THURSDAY, FRIDAY, TUESDAY = (EVAL_NOW.date() + timedelta(days=days) for days in (3, 4, 8))


async def _hold(service: str, day, at: time, *, phone: str = PHONE) -> uuid.UUID:
    return await hold_booking(service, day, at, phone=phone)


async def _talk(settings, *texts: str, overrides: dict | None = None) -> list[tuple[str, list[str]]]:
    """Each text from PHONE in one SMS conversation: the replies with the tools each turn called."""
    setup, said = build_agent(settings), []
    async with sandbox(keep=True):  # the turns' writes stay: the tests read the bookings afterwards
        conversation = await Conversation.create(
            channel=Channel.SMS,
            thread_key=f"t-{uuid.uuid4()}",
            customer=PHONE,
            last_message_at=EVAL_NOW,
        )
        for text in texts:
            _, outcome = await sandboxed_turn(
                conversation_id=conversation.id,
                text=text,
                setup=setup,
                author=MessageAuthor.CUSTOMER,
                now=EVAL_NOW,
                tool_overrides=overrides,
            )
            calls = await ToolCall.filter(run_id=outcome.run_id).order_by("position")
            said.append((outcome.reply, [call.name for call in calls]))
    return said


async def _statuses(*booking_ids: uuid.UUID) -> list[BookingStatus]:
    return [(await Booking.get(id=booking_id)).status for booking_id in booking_ids]


async def test_cancelling_the_only_booking_cancels_it_and_opens_no_ticket(app, test_settings):
    await prepare_eval_business()
    held = await _hold("haircut", FRIDAY, time(15))

    ((reply, tools),) = await _talk(test_settings, "I need to cancel my appointment")

    assert tools == ["find_bookings", "cancel_booking"]
    assert reply.startswith("I've cancelled your haircut on Friday, Jan 11 at 3pm with ")
    assert await _statuses(held) == [BookingStatus.CANCELLED] and not await Ticket.exists()


async def test_a_no_to_which_one_leaves_every_booking_as_it_was(app, test_settings):
    await prepare_eval_business()
    held = [await _hold("haircut", FRIDAY, time(15)), await _hold("massage", TUESDAY, time(10))]

    (ask, _), (reply, tools) = await _talk(test_settings, "cancel my appointment please", "no, never mind")

    assert ask == (
        "Which one should I cancel: the haircut on Friday, Jan 11 at 3pm "
        "or the massage on Tuesday, Jan 15 at 10am?"
    )
    assert reply.startswith("OK, I've left your bookings as they are.") and tools == []
    assert await _statuses(*held) == [BookingStatus.CONFIRMED] * 2


async def test_which_one_answered_by_position_or_both(app, test_settings):
    await prepare_eval_business()
    held = [await _hold("haircut", FRIDAY, time(15)), await _hold("massage", TUESDAY, time(10))]

    (_, _), (second, _) = await _talk(test_settings, "cancel my appointment", "the second one")
    assert second.startswith("I've cancelled your massage on Tuesday, Jan 15 at 10am")
    assert await _statuses(*held) == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED]

    again = await _hold("massage", TUESDAY, time(11))
    (_, _), (both, tools) = await _talk(test_settings, "please cancel my appointment", "both")
    assert tools == ["find_bookings", "cancel_booking", "cancel_booking"]
    assert "haircut" in both and "massage" in both
    assert await _statuses(held[0], again) == [BookingStatus.CANCELLED] * 2


async def test_a_day_without_a_booking_asks_about_the_one_there_is_before_cancelling(app, test_settings):
    await prepare_eval_business()
    held = await _hold("eye exam", FRIDAY, time(9, 30))

    (ask, tools), (reply, _) = await _talk(test_settings, "cancel my appointment tomorrow", "yes")

    assert tools == ["find_bookings"]
    assert ask == (
        "I don't see a booking tomorrow. "
        "Is it your eye exam on Friday, Jan 11 at 9:30am you'd like me to cancel?"
    )
    assert reply.startswith("I've cancelled your eye exam on Friday, Jan 11 at 9:30am")
    assert await _statuses(held) == [BookingStatus.CANCELLED]


async def test_someone_elses_booking_is_never_found(app, test_settings):
    await prepare_eval_business()
    theirs = await _hold("haircut", FRIDAY, time(15), phone="+15550107999")

    ((reply, tools),) = await _talk(test_settings, "cancel my haircut on Friday")

    assert reply == "I couldn't find an upcoming booking under this number, so nothing was cancelled."
    assert tools == ["find_bookings"] and await _statuses(theirs) == [BookingStatus.CONFIRMED]


async def test_a_move_without_a_day_asks_for_one_offers_times_and_moves_on_the_pick(app, test_settings):
    await prepare_eval_business()
    held = await _hold("massage", FRIDAY, time(15))

    (day, _), (times, _), (moved, tools) = await _talk(
        test_settings, "I'd like to move my massage", "Thursday", "11am"
    )

    assert day == "Sure. Your massage is on Friday, Jan 11 at 3pm. What day would you like instead?"
    assert times == "For a massage Thursday, Jan 10 I can do 9am, 10am or 11am. Which works for you?"
    assert tools == ["reschedule_booking"]
    assert moved == (
        "I've moved your massage to Thursday, Jan 10 at 11am with Alex. "
        "Your old time, Friday, Jan 11 at 3pm, has been released."
    )
    new = await Booking.get(status=BookingStatus.CONFIRMED).prefetch_related("slot")
    assert new.rescheduled_from_id == held and new.slot.starts_at.astimezone(ZONE).time() == time(11)
    assert await _statuses(held) == [BookingStatus.CANCELLED]


async def test_a_slot_taken_during_the_move_offers_the_nearest_times_and_keeps_the_booking(
    app, test_settings
):
    await prepare_eval_business()
    held = await _hold("beard trim", FRIDAY, time(10))
    taken = {
        "rescheduled": False,
        "reason": "slot_taken",
        "slot_id": str(uuid.uuid4()),
        "service": "beard trim",
        "staff": "Lee",
        "starts_at": "2030-01-10T11:00:00-05:00",
        "ends_at": "2030-01-10T11:30:00-05:00",
    }

    ((reply, tools),) = await _talk(
        test_settings, "can you move my beard trim to Thursday at 11", overrides={"reschedule_booking": taken}
    )

    assert tools == ["find_bookings", "check_availability", "reschedule_booking", "check_availability"]
    assert reply.startswith("Sorry, 11am was just taken. For a beard trim Thursday, Jan 10 I can do 10:30am,")
    assert await _statuses(held) == [BookingStatus.CONFIRMED]


async def test_asking_for_the_time_already_booked_changes_nothing(app, test_settings):
    await prepare_eval_business()
    held = await _hold("haircut", FRIDAY, time(15))

    ((reply, tools),) = await _talk(test_settings, "can you move my haircut to Friday at 3pm")

    assert (
        reply == "Your haircut is already booked on Friday, Jan 11 at 3pm. What time would suit you better?"
    )
    assert tools == ["find_bookings"] and await _statuses(held) == [BookingStatus.CONFIRMED]


async def test_looking_up_lists_every_upcoming_booking(app, test_settings):
    await prepare_eval_business()
    await _hold("massage", TUESDAY, time(10))
    await _hold("haircut", THURSDAY, time(15))

    ((reply, tools),) = await _talk(test_settings, "what appointments do I have?")

    assert tools == ["find_bookings"]
    assert reply.startswith("You have 2 upcoming bookings: haircut on Thursday, Jan 10 at 3pm with ")
    assert reply.endswith(" and massage on Tuesday, Jan 15 at 10am with Alex.")


async def test_naming_another_booking_mid_move_moves_that_one_to_the_day_asked(app, test_settings):
    await prepare_eval_business()
    haircut, massage = await _hold("haircut", FRIDAY, time(15)), await _hold("massage", TUESDAY, time(10))

    (first, _), (second, _), (moved, _) = await _talk(
        test_settings, "move my haircut to Thursday", "sorry, I meant the massage", "10am"
    )

    assert first.startswith("For a haircut Thursday, Jan 10 I can do ")
    assert second == "For a massage Thursday, Jan 10 I can do 9am, 10am or 11am. Which works for you?"
    assert moved.startswith("I've moved your massage to Thursday, Jan 10 at 10am")
    assert await _statuses(haircut, massage) == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED]
