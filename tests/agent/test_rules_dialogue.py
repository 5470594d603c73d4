"""The rules policy answering what it asked, on the real tables: picks, name prompts, backing out, asking
first.

The clock is the eval clock (Monday 2030-01-07 09:00 in New York): Friday is Jan 11, Thursday Jan 10.
"""

import uuid
from datetime import datetime, time, timedelta

from backend.agent.models import ToolCall
from backend.agent.setup import build_agent
from backend.conversations.models import Conversation, MessageAuthor
from backend.core.enums import Channel
from backend.evals.golden import EVAL_NOW
from backend.evals.runner import prepare_eval_business
from backend.scheduling.models import Booking, BookingStatus
from backend.tickets.models import Ticket, TicketPriority
from backend.turns.sandbox import sandbox, sandboxed_turn
from tests.agent.helpers import ZONE, hold_booking

PHONE = "+15550107200"
THURSDAY, FRIDAY = (EVAL_NOW.date() + timedelta(days=days) for days in (3, 4))


async def _hold(service: str, day, at: time, *, phone: str = PHONE) -> uuid.UUID:
    return await hold_booking(service, day, at, phone=phone)


async def _talk(settings, *texts: str) -> tuple[list[tuple[str, list[str]]], dict]:
    """Each text from PHONE in one SMS conversation: the replies with the tools each turn called, and the
    final state."""
    setup, said = build_agent(settings), []
    async with sandbox(keep=True):  # the turns' writes stay: the tests read them afterwards
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
            )
            calls = await ToolCall.filter(run_id=outcome.run_id).order_by("position")
            said.append((outcome.reply, [call.name for call in calls]))
        await conversation.refresh_from_db()
    return said, conversation.agent_state


async def _starts_of_new_bookings() -> list[datetime]:
    bookings = await Booking.filter(conversation_id__isnull=False).prefetch_related("slot")
    return [booking.slot.starts_at.astimezone(ZONE) for booking in bookings]


async def test_number_two_books_the_second_offered_time_never_2pm(app, test_settings):
    await prepare_eval_business()

    said, _ = await _talk(test_settings, "book a haircut friday", "number two", "Priya Shah")

    assert "9am, 9:30am or 10am" in said[0][0]
    assert said[1] == (
        "Great. What name should I put the booking under?",
        [],
    )  # no new check: the slot is known
    assert said[2][1] == ["book_appointment"]
    assert await _starts_of_new_bookings() == [datetime.combine(FRIDAY, time(9, 30), ZONE)]


async def test_a_yes_to_several_times_picks_none_and_books_nothing(app, test_settings):
    await prepare_eval_business()

    said, state = await _talk(test_settings, "book a haircut friday", "yes")

    assert said[1] == ("Which one would you like: 9am, 9:30am or 10am?", [])
    assert state["awaiting"] == "time" and len(state["offered"]) == 3
    assert await _starts_of_new_bookings() == []


async def test_a_filler_for_a_name_keeps_the_chosen_slot_until_a_real_name_comes(app, test_settings):
    await prepare_eval_business()

    said, _ = await _talk(test_settings, "haircut friday at 3pm", "idk", "Cool", "one sec", "Zoë")

    assert [tools for _, tools in said[1:4]] == [[], [], []]
    assert all("name" in reply for reply, _ in said[1:4])
    assert said[4][0].startswith("You're booked, Zoë: haircut with ")
    (booking,) = await Booking.filter(conversation_id__isnull=False)
    assert booking.customer_name == "Zoë"
    assert await _starts_of_new_bookings() == [datetime.combine(FRIDAY, time(15), ZONE)]


async def test_backing_out_leaves_nothing_under_way_so_a_later_time_books_nothing(app, test_settings):
    await prepare_eval_business()

    said, state = await _talk(test_settings, "book a massage thursday", "never mind", "10am")

    assert said[1] == ("No problem, I haven't booked or changed anything. Anything else I can help with?", [])
    assert "book_appointment" not in said[2][1] and "name" not in said[2][0].lower()
    assert not {"awaiting", "offered", "pending_slot", "intent"} & set(state)
    assert await _starts_of_new_bookings() == []


async def test_cancel_that_mid_booking_leaves_the_booking_held(app, test_settings):
    await prepare_eval_business()
    held = await _hold("haircut", FRIDAY, time(15))

    said, _ = await _talk(test_settings, "can i also get a beard trim thursday", "cancel that")

    assert said[1][1] == []
    assert (await Booking.get(id=held)).status == BookingStatus.CONFIRMED


async def test_a_booking_and_a_billing_problem_in_one_message_are_both_served(app, test_settings):
    await prepare_eval_business()

    said, state = await _talk(test_settings, "Can I book a haircut? Also I was double charged")

    reply, tools = said[0]
    assert tools == ["create_ticket"]
    assert reply.index("ticket") < reply.index("What day works for you?")
    (ticket,) = await Ticket.all()
    assert ticket.priority == TicketPriority.HIGH and ticket.subject == "I was double charged"
    assert (state["intent"], state["awaiting"], state["service"]) == ("BOOK", "date", "haircut")


async def test_a_second_request_waits_for_the_first_and_runs_only_after_a_yes(app, test_settings):
    await prepare_eval_business()
    held = await _hold("haircut", FRIDAY, time(15))

    said, state = await _talk(
        test_settings,
        "Can you move my haircut to Thursday? And can I book a massage too?",
        "10am",
        "no thanks",
    )

    assert said[1][1] == ["reschedule_booking"] and said[1][0].endswith("Shall I do that now?")
    assert said[2] == ("OK, I'll leave it there. Anything else I can help with?", [])
    assert "proposal" not in state and "queued" not in state
    assert (
        await Booking.get(id=held)
    ).status == BookingStatus.CANCELLED  # released by the move; no massage booked
    assert await _starts_of_new_bookings() == [datetime.combine(THURSDAY, time(10), ZONE)]


async def test_rival_requests_write_nothing_until_the_customer_says_which(app, test_settings):
    await prepare_eval_business()
    held = await _hold("massage", FRIDAY, time(11))

    said, _ = await _talk(test_settings, "I won't be able to make it, there's an issue with my car", "yes")

    assert said[0][1] == [] and said[1][1] == []  # a yes to an either/or question picks neither
    assert (await Booking.get(id=held)).status == BookingStatus.CONFIRMED and not await Ticket.exists()


async def test_an_implied_cancellation_is_confirmed_before_it_is_made(app, test_settings):
    await prepare_eval_business()
    held = await _hold("massage", FRIDAY, time(11))

    said, _ = await _talk(test_settings, "I can't make it on Friday", "yes please")

    assert said[0] == (
        "Sorry to hear that. Shall I cancel your massage on Friday, Jan 11 at 11am? "
        "Or I can move it to another time.",
        ["find_bookings"],
    )
    assert said[1][1] == ["find_bookings", "cancel_booking"]
    assert (await Booking.get(id=held)).status == BookingStatus.CANCELLED


# Dialogue state (picks, ruled-out days) together with open-ended answers (spans of days, windows of times).
NEXT_TUESDAY = EVAL_NOW.date() + timedelta(days=8)


async def test_a_day_ruled_out_of_a_span_is_skipped_and_a_pick_by_position_books_it(app, test_settings):
    await prepare_eval_business()

    said, _ = await _talk(test_settings, "haircut next week but not monday", "the first one", "Priya Shah")

    assert "Monday" not in said[0][0] and "Tuesday, Jan 15" in said[0][0]
    assert said[1] == ("Great. What name should I put the booking under?", [])
    assert await _starts_of_new_bookings() == [datetime.combine(NEXT_TUESDAY, time(9), ZONE)]


async def test_a_window_on_any_day_but_today_offers_only_times_inside_it_and_books_the_one_picked(
    app, test_settings
):
    await prepare_eval_business()

    said, _ = await _talk(
        test_settings, "a massage any day but today, between 2 and 4", "the last one", "Priya Shah"
    )

    # Only 2pm-4pm starts, none today; "the last one" is the latest of them, not the last of the day.
    assert "tomorrow 2pm, tomorrow 3pm or Wednesday, Jan 9 2pm" in said[0][0]
    assert said[2][1] == ["book_appointment"]
    assert await _starts_of_new_bookings() == [
        datetime.combine(EVAL_NOW.date() + timedelta(days=2), time(14), ZONE)
    ]


async def test_a_time_offered_on_several_days_books_nothing_until_the_day_is_said(app, test_settings):
    await prepare_eval_business()

    said, _ = await _talk(
        test_settings, "haircut next week at 3pm", "3pm", "Priya Shah", "tuesday", "Priya Shah"
    )

    assert "Monday, Jan 14 3pm, Tuesday, Jan 15 3pm or Wednesday, Jan 16 3pm" in said[0][0]
    assert all("book_appointment" not in tools for _, tools in said[:3])  # "3pm" and a name pick no day
    assert said[3][0] == "Great. What name should I put the booking under?"
    assert await _starts_of_new_bookings() == [datetime.combine(NEXT_TUESDAY, time(15), ZONE)]
