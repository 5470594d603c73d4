"""The worker answers customers: books the right slot, never twice, stays quiet after a handoff, delivers
once."""

import asyncio
from datetime import time

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageDirection,
)
from backend.core.faults import BEFORE_COMMIT as COMMIT_FAULT_POINT
from backend.core.faults import set_fault
from backend.core.scopes import Scope
from backend.scheduling.models import Booking
from tests.agent.helpers import ZONE, all_processed, open_business, replies_to, say, weekday_ahead
from tests.helpers import graphql, wait_until


async def test_a_multi_turn_sms_conversation_books_the_right_local_slot(
    client, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST)
    await open_business()
    day = weekday_ahead()
    await say(client, key, sender="+15557770001", text=f"Hi, can I book a haircut on {day:%A} at 3pm?")
    first = await replies_to("+15557770001", count=1)
    assert "name" in first[0].lower(), first
    await say(client, key, sender="+15557770001", text="Maria Lopez")
    replies = await replies_to("+15557770001", count=2)
    assert replies[1].startswith("You're booked, Maria"), replies

    booking = await Booking.get().prefetch_related("slot", "slot__service")
    assert booking.customer_name == "Maria Lopez" and booking.slot.service.name == "haircut"
    local = booking.slot.starts_at.astimezone(ZONE)
    assert (local.date(), local.time()) == (day, time(15, 0))
    runs = await AgentRun.filter(conversation__customer="+15557770001").order_by("created_at")
    assert [run.status for run in runs] == [RunStatus.OK, RunStatus.OK]
    assert {run.policy for run in runs} == {"rules"} and {run.prompt_version for run in runs} == {"v1"}
    names = [call.name for call in await ToolCall.filter(run=runs[1]).order_by("position")]
    assert names[-1] == "book_appointment"

    async def delivered():
        return len(fake_provider.sent_to("+15557770001")) == 2

    await wait_until(delivered, timeout=20, message="both replies reaching the SMS provider")
    assert [record["Body"] for record in fake_provider.sent_to("+15557770001")] == replies


async def test_twenty_conversations_racing_for_one_slot_get_one_booking_and_nineteen_alternatives(
    client, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST)
    await open_business()
    day = weekday_ahead(min_days=3)
    senders = [f"+1555888{index:04d}" for index in range(20)]
    await asyncio.gather(
        *(
            say(
                client,
                key,
                sender=sender,
                text=f"Book a massage on {day:%A} at 10am please, my name is Racer {index}",
            )
            for index, sender in enumerate(senders)
        )
    )
    replies = [(await replies_to(sender, count=1))[0] for sender in senders]
    assert await Booking.all().count() == 1
    assert sum(reply.startswith("You're booked") for reply in replies) == 1
    # Losers either saw the slot gone when they looked ("isn't available") or lost the insert race
    # ("was just taken"); either way they are offered other times.
    offers = [
        reply for reply in replies if ("10am isn't available" in reply or "10am was just taken" in reply)
    ]
    assert len(offers) == 19 and all("I can do" in reply and "10am," not in reply for reply in offers), (
        replies
    )


async def test_a_job_that_dies_after_booking_books_nothing_more_and_replies_once(
    app, client, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST)
    await open_business()
    day = weekday_ahead()
    # The first attempt books, writes its reply, then dies before committing; the retry starts clean.
    await set_fault(app.state.services.redis, COMMIT_FAULT_POINT, message="worker killed", times=1)
    await say(
        client, key, sender="+15557770002", text=f"can I book an eye exam {day:%A} at 11am? I'm Tom Becker"
    )
    replies = await replies_to("+15557770002", count=1)
    await wait_until(all_processed, timeout=20, message="the event being processed")
    await asyncio.sleep(1.0)  # time for a wrong second reply or delivery to show up
    assert replies[0].startswith("You're booked, Tom")
    assert await Booking.all().count() == 1
    assert await Message.filter(direction=MessageDirection.OUTBOUND).count() == 1
    assert await AgentRun.all().count() == 1

    async def delivered_once():
        return len(fake_provider.sent_to("+15557770002")) == 1

    await wait_until(delivered_once, timeout=20, message="the reply being delivered")
    await asyncio.sleep(1.0)
    assert len(fake_provider.sent_to("+15557770002")) == 1


async def test_a_handed_off_conversation_stays_with_the_human_until_returned(
    client, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST, Scope.OPERATE)
    sender = "+15557770003"
    await say(client, key, sender=sender, text="Can I talk to a real person please?")
    assert "colleague" in (await replies_to(sender, count=1))[0]
    conversation = await Conversation.get(customer=sender)
    assert conversation.status == ConversationStatus.HANDED_OFF
    assert (await AgentRun.get(conversation=conversation)).status == RunStatus.HANDED_OFF

    await say(client, key, sender=sender, text="hello? anyone there?")
    await wait_until(all_processed, timeout=20, message="the second message being stored")
    await asyncio.sleep(0.5)
    assert await Message.filter(conversation=conversation, direction=MessageDirection.OUTBOUND).count() == 1
    assert await AgentRun.filter(conversation=conversation).count() == 1

    from strawberry.relay import to_base64

    conversation_id = to_base64("Conversation", str(conversation.id))
    human = """mutation($id: ID!) { sendHumanReply(input: {conversationId: $id, text:
        "Hi, Sam here. How can I help?"}) {
        __typename ... on SendHumanReplyPayload { message { author text } } } }"""
    sent = (await graphql(client, human, key=key, variables={"id": conversation_id})).json()
    assert sent["data"]["sendHumanReply"]["message"] == {
        "author": "HUMAN",
        "text": "Hi, Sam here. How can I help?",
    }
    back = """mutation($id: ID!) { returnToAgent(input: {conversationId: $id}) {
        __typename ... on ReturnToAgentPayload { conversation { status } } } }"""
    returned = (await graphql(client, back, key=key, variables={"id": conversation_id})).json()
    assert returned["data"]["returnToAgent"]["conversation"]["status"] == "OPEN"

    await say(client, key, sender=sender, text="thanks!")
    replies = await replies_to(sender, count=3)
    assert replies[1] == "Hi, Sam here. How can I help?" and "welcome" in replies[2].lower()

    async def human_reply_delivered():
        return "Hi, Sam here. How can I help?" in [record["Body"] for record in fake_provider.sent_to(sender)]

    await wait_until(human_reply_delivered, timeout=20, message="the human reply being delivered")


async def test_a_delivery_endpoint_failing_twice_then_succeeding_sends_exactly_once(
    client, make_key, workers, fake_provider
):
    key = await make_key(Scope.INGEST)
    sender = "+15557770004"
    fake_provider.fail_next[sender] = 2
    await say(client, key, sender=sender, text="hello")
    await replies_to(sender, count=1)

    async def sent():
        message = await Message.get_or_none(
            conversation__customer=sender, direction=MessageDirection.OUTBOUND
        )
        return message if message and message.delivery_status == DeliveryStatus.SENT else None

    message = await wait_until(sent, timeout=30, message="the reply being sent after two failures")
    assert message.delivery_attempts == 3 and message.provider_message_id
    assert fake_provider.attempts[sender] == 3
    assert len(fake_provider.sent_to(sender)) == 1
