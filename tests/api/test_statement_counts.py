"""Lists read through DataLoaders: a page costs the same number of SQL statements whatever its size."""

from datetime import UTC, datetime, timedelta

import pytest

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.conversations.models import Conversation, Message, MessageAuthor, MessageDirection
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.ingest.models import IngestEvent
from backend.quality.models import EvalScore, ScoreTrigger
from backend.scheduling.models import Booking, Resource, Service, Slot
from backend.tickets.models import Ticket
from tests.helpers import StatementCounter, graphql

CONVERSATIONS_PAGE = """
query Page($first: Int!) {
  conversations(first: $first) {
    edges { node { id customer lastMessage { text conversation { customer } } messages(first: 3) { edges {
        node { text } } } } }
  }
}
"""
EVENTS_PAGE = """
query Page($first: Int!) {
  ingestEvents(first: $first) { edges { node { idempotencyKey status conversation { customer messageCount } }
      } }
}
"""
RUNS_PAGE = """
query Page($first: Int!) {
  agentRuns(first: $first) {
    edges {
      node {
        status toolCalls { name } conversation { customer } triggerMessage { text } replyMessage { text }
      }
    }
  }
}
"""
# The Agent runs page filtered by evaluator: the scores narrow the runs inside the page's one statement.
SCORED_RUNS_PAGE = """
query Page($first: Int!) {
  agentRuns(first: $first, filter: {evaluator: "backed_claims", scorePassed: false}) {
    edges { node { status conversation { customer } scores { evaluator score label } } }
  }
}
"""
CONVERSATION_WORK_PAGE = """
query Page($first: Int!) {
  conversations(first: $first) {
    edges {
      node {
        customer handedOffAt
        runs(first: 3) { status toolCalls { name } }
        bookings { startsAt serviceName staffName }
        tickets { subject }
      }
    }
  }
}
"""


async def _threads(count: int) -> None:
    for index in range(count):
        conversation = await Conversation.create(
            channel=Channel.SMS,
            thread_key=f"+1{index:09d}",
            customer=f"+1{index:09d}",
            last_message_at="2026-01-01T00:00:00Z",
        )
        await Message.bulk_create(
            [
                Message(
                    conversation=conversation,
                    sequence=n,
                    direction=MessageDirection.INBOUND,
                    author=MessageAuthor.CUSTOMER,
                    text=f"m{n}",
                )
                for n in range(1, 6)
            ]
        )
        await IngestEvent.create(
            channel=Channel.SMS,
            idempotency_key=f"k{index}",
            sender=f"+1{index:09d}",
            thread_key=f"+1{index:09d}",
            text="hello",
            occurred_at="2026-01-01T00:00:00Z",
        )


async def _agent_work(count: int) -> None:
    """Give each conversation two runs with tool calls and messages, a booking and a ticket."""
    service = await Service.create(name="haircut", duration_minutes=30)
    staff = await Resource.create(name="Ana")
    start = datetime(2026, 1, 2, tzinfo=UTC)
    for index, conversation in enumerate(await Conversation.all().order_by("customer").limit(count)):
        for turn in range(2):
            messages = Message.filter(conversation=conversation, sequence__in=[2 * turn + 1, 2 * turn + 2])
            trigger, reply = await messages.order_by("sequence")
            run = await AgentRun.create(
                conversation=conversation,
                trigger_message=trigger,
                reply_message=reply,
                policy="rules",
                prompt_name="front-desk",
                prompt_version="v1",
                status=RunStatus.OK,
                latency_ms=10.0,
            )
            await ToolCall.bulk_create(
                [ToolCall(run=run, position=n, name=f"tool-{n}", latency_ms=1.0) for n in (1, 2)]
            )
            if turn == 1:  # the conversation's last turn made an unbacked claim
                await EvalScore.create(
                    run=run,
                    conversation=conversation,
                    evaluator="backed_claims",
                    version="v1",
                    kind="rule",
                    score=0.0,
                    passed=False,
                    label="unbacked_cancellation",
                    reason="cancel_booking did not succeed",
                    trigger=ScoreTrigger.SAMPLE,
                )
        slot = await Slot.create(
            service=service,
            resource=staff,
            starts_at=start + timedelta(hours=index),
            ends_at=start + timedelta(hours=index, minutes=30),
        )
        await Booking.create(
            slot=slot, conversation=conversation, customer_name="Ada", idempotency_key=f"b{index}"
        )
        await Ticket.create(
            subject="broken", description="box", conversation=conversation, idempotency_key=f"t{index}"
        )


@pytest.mark.parametrize(
    "document,field",
    [
        (CONVERSATIONS_PAGE, "conversations"),
        (EVENTS_PAGE, "ingestEvents"),
        (RUNS_PAGE, "agentRuns"),
        (SCORED_RUNS_PAGE, "agentRuns"),
        (CONVERSATION_WORK_PAGE, "conversations"),
    ],
    ids=["conversations", "ingestEvents", "agentRuns", "scoredAgentRuns", "conversationsWithAgentWork"],
)
async def test_statements_per_page_do_not_grow_with_page_size(client, make_key, monkeypatch, document, field):
    key = await make_key(Scope.READ)
    await _threads(40)
    await _agent_work(40)
    await graphql(
        client, "{ viewer { keyName } }", key=key
    )  # warm the key cache: auth is not part of the page
    counter = StatementCounter(monkeypatch)
    counts = {}
    for size in (2, 10, 40):
        counter.reset()
        body = (await graphql(client, document, key=key, variables={"first": size})).json()
        assert len(body["data"][field]["edges"]) == size, body
        counts[size] = len(counter.statements)
    assert counts[2] == counts[10] == counts[40], counts
    assert 2 <= counts[40] <= 8, counter.statements
