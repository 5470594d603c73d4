"""Side effects exactly once: a retried turn is answered at each call position with what its first attempt
got."""

import asyncio
import uuid
from datetime import datetime

import pytest

from backend.agent.tools.toolbox import ToolBox, earlier_answers
from backend.conversations.models import Conversation, ConversationStatus
from backend.core.enums import Channel
from backend.scheduling.models import Booking, Slot
from backend.tickets.models import Ticket
from tests.agent.helpers import ZONE, open_business, weekday_ahead


async def _conversation() -> Conversation:
    return await Conversation.create(
        channel=Channel.SMS,
        thread_key=f"effects-{uuid.uuid4()}",
        customer="+15550007777",
        last_message_at=datetime.now(ZONE),
    )


async def _attempt(turn_key: str, conversation: Conversation, settings) -> ToolBox:  # noqa: ARG001
    """A ToolBox as the runtime builds one for an attempt of the turn `turn_key`."""
    return ToolBox(
        turn_key=turn_key,
        run_id=uuid.uuid4(),
        conversation_id=conversation.id,
        customer=conversation.customer,
        now=datetime.now(ZONE),
        timezone="America/New_York",
        guardrails=None,
        earlier=await earlier_answers(turn_key=turn_key),
    )


async def _free_slot() -> Slot:
    await open_business()
    day = weekday_ahead()
    slots = await Slot.filter(service__name="haircut").order_by("starts_at")
    return next(slot for slot in slots if slot.starts_at.astimezone(ZONE).date() == day)


async def _turn(tools: ToolBox, slot: Slot) -> list[dict]:
    """What a booking turn does: read, book, open a ticket, hand off."""
    return [
        await tools.call(
            "check_availability",
            {"service": "haircut", "date_from": slot.starts_at.astimezone(ZONE).date().isoformat()},
        ),
        await tools.call("book_appointment", {"slot_id": str(slot.id), "customer_name": "Rita Moreno"}),
        await tools.call("create_ticket", {"subject": "Allergy note", "description": "Sensitive scalp"}),
        await tools.call("handoff_to_human", {"reason": "asked for the manager"}),
    ]


async def test_a_retried_turn_books_opens_and_hands_off_once_and_sees_what_it_saw(app, test_settings):
    slot, conversation = await _free_slot(), await _conversation()
    first = await _turn(await _attempt("event-1", conversation, test_settings), slot)
    # The attempt dies before its commit; the retry runs the same calls at the same positions.
    retry_tools = await _attempt("event-1", conversation, test_settings)
    second = await _turn(retry_tools, slot)

    assert second == first
    # The read is answered as the first attempt saw it: the slot it booked itself is not "taken" on the retry.
    assert str(slot.id) in {found["slot_id"] for found in second[0]["slots"]}
    assert second[1]["booked"] is True and await Booking.filter(slot=slot).count() == 1
    assert await Ticket.all().count() == 1
    assert (await Conversation.get(id=conversation.id)).status == ConversationStatus.HANDED_OFF
    assert all(call.repeated for call in retry_tools.calls)


async def test_another_turn_is_another_effect(app, test_settings):
    conversation = await _conversation()
    for turn_key in ("event-a", "event-b"):
        tools = await _attempt(turn_key, conversation, test_settings)
        await tools.call("create_ticket", {"subject": "Broken dryer", "description": "It sparks"})
    assert await Ticket.all().count() == 2


async def test_a_model_that_chooses_differently_on_the_retry_is_told_what_the_step_already_did(
    app, test_settings
):
    conversation = await _conversation()
    first = await _attempt("event-2", conversation, test_settings)
    opened = await first.call("create_ticket", {"subject": "Refund please", "description": "Charged twice"})
    retry = await _attempt("event-2", conversation, test_settings)
    answer = await retry.call("handoff_to_human", {"reason": "changed its mind"})
    assert answer["error"].startswith("an earlier attempt of this turn already ran create_ticket")
    assert answer["earlier_result"]["ticket_id"] == opened["ticket_id"]
    assert (await Conversation.get(id=conversation.id)).status == ConversationStatus.OPEN


@pytest.mark.parametrize("attempts", [2, 5])
async def test_attempts_racing_on_one_step_make_one_effect(app, test_settings, attempts):
    # Two workers on one turn (a lease that expired under a stalled worker): the effect is made once.
    slot, conversation = await _free_slot(), await _conversation()
    racers = [await _attempt("event-3", conversation, test_settings) for _ in range(attempts)]
    answers = await asyncio.gather(
        *(
            tools.call("book_appointment", {"slot_id": str(slot.id), "customer_name": "Ann Lee"})
            for tools in racers
        )
    )
    assert {answer["booking_id"] for answer in answers} == {answers[0]["booking_id"]}
    assert await Booking.filter(slot=slot).count() == 1
    assert sum(not tools.calls[0].repeated for tools in racers) == 1
