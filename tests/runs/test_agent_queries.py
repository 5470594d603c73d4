"""Agent runs are listed with filters and found by id; a conversation shows only its own runs, bookings and
tickets."""

from datetime import timedelta

from strawberry.relay import to_base64

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.conversations.models import (
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.core.scopes import Scope
from backend.quality.models import EvalScore, ScoreTrigger
from tests import backdated
from tests.helpers import graphql

RUNS = """
query Runs($first: Int, $after: String, $filter: AgentRunFilter) {
  agentRuns(first: $first, after: $after, filter: $filter) {
    edges { node { promptVersion } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
RUN_DETAIL = """
query Run($id: ID!) {
  agentRun(id: $id) {
    id policy promptName promptVersion model intent status latencyMs promptTokens completionTokens error
    conversation { customer status handedOffAt handoffReason }
    triggerMessage { text direction deliveryStatus }
    replyMessage { text deliveryStatus deliveryAttempts deliveredAt deliveryError }
    toolCalls { position name arguments result error latencyMs }
  }
}
"""
NODE = """
query Node($id: ID!) {
  node(id: $id) {
    __typename
    ... on AgentRun { policy toolCalls { name } }
  }
}
"""

CONVERSATION_WORK = """
query Work($id: ID!, $runs: Int) {
  conversation(id: $id) {
    handedOffAt handoffReason
    runs(first: $runs) { promptVersion }
    bookings { customerName staffName }
    tickets { subject }
  }
}
"""


async def test_agent_runs_filters_combine(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation("+1555")
    await backdated.agent_run(conversation, hours=0, prompt_version="v0", latency_ms=50.0)
    await backdated.agent_run(
        conversation, hours=1, prompt_version="v1", status=RunStatus.FAILED, latency_ms=900.0
    )
    await backdated.agent_run(conversation, hours=2, prompt_version="v2", policy="llm", latency_ms=1200.0)
    await backdated.agent_run(
        conversation, hours=3, prompt_version="v3", policy="llm", status=RunStatus.FAILED, latency_ms=30.0
    )

    async def versions(filter):
        body = (await graphql(client, RUNS, key=key, variables={"first": 50, "filter": filter})).json()
        return [edge["node"]["promptVersion"] for edge in body["data"]["agentRuns"]["edges"]]

    assert await versions(None) == ["v3", "v2", "v1", "v0"]
    assert await versions({"status": "FAILED"}) == ["v3", "v1"]
    assert await versions({"status": "FAILED", "policy": "llm"}) == ["v3"]
    assert await versions({"minLatencyMs": 900}) == ["v2", "v1"]
    assert await versions({"policy": "llm", "minLatencyMs": 900}) == ["v2"]
    assert await versions({"promptVersion": "v0"}) == ["v0"]
    assert await versions(backdated.created_window(0.5, 2.5)) == ["v2", "v1"]
    assert await versions({**backdated.created_window(0.5, 2.5), "status": "OK"}) == ["v2"]

    inverted = backdated.created_window(2.5, 0.5)
    error = (await graphql(client, RUNS, key=key, variables={"filter": inverted})).json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "createdAfter" in error["message"]
    negative = (await graphql(client, RUNS, key=key, variables={"filter": {"minLatencyMs": -1}})).json()
    assert negative["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def _score(run: AgentRun, evaluator: str, score: float | None, *, label: str) -> None:
    await EvalScore.create(
        run=run,
        conversation_id=run.conversation_id,  # type: ignore[attr-defined]
        evaluator=evaluator,
        version="v1",
        kind="judge" if evaluator == "helpfulness" else "rule",
        score=score,
        passed=None if score is None else score >= 1.0,
        label=label,
        reason="test",
        trigger=ScoreTrigger.SAMPLE,
    )


async def test_agent_runs_filter_by_how_an_evaluator_scored_them(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation("+1555")
    unbacked = await backdated.agent_run(conversation, hours=0, prompt_version="unbacked")
    await _score(unbacked, "backed_claims", 0.0, label="unbacked_cancellation")
    await _score(unbacked, "reply_length", 1.0, label="within_limit")
    clean = await backdated.agent_run(conversation, hours=1, prompt_version="clean")
    await _score(clean, "backed_claims", 1.0, label="no_claim")
    await _score(clean, "helpfulness", None, label="budget_exhausted")
    await backdated.agent_run(conversation, hours=2, prompt_version="unscored")

    async def versions(filter):
        body = (await graphql(client, RUNS, key=key, variables={"first": 50, "filter": filter})).json()
        return [edge["node"]["promptVersion"] for edge in body["data"]["agentRuns"]["edges"]]

    assert await versions({"evaluator": "backed_claims"}) == ["clean", "unbacked"]
    assert await versions({"evaluator": "backed_claims", "scorePassed": False}) == ["unbacked"]
    assert await versions({"evaluator": "backed_claims", "maxScore": 0.5}) == ["unbacked"]
    assert await versions({"evaluator": "reply_length", "scorePassed": False}) == []
    # Without an evaluator: failed (or scored that low) by any; a run matching twice is listed once.
    assert await versions({"scorePassed": True}) == ["clean", "unbacked"]
    assert await versions({"maxScore": 1}) == ["clean", "unbacked"]
    # A skipped judge call is no score: it neither passes nor fails.
    assert await versions({"evaluator": "helpfulness"}) == ["clean"]
    assert await versions({"evaluator": "helpfulness", "maxScore": 1}) == []
    assert await versions({"evaluator": "backed_claims", "status": "FAILED"}) == []

    wrong = (await graphql(client, RUNS, key=key, variables={"filter": {"maxScore": 2}})).json()
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "maxScore" in wrong["errors"][0]["message"]


async def test_agent_runs_page_with_cursors(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation("+1555")
    for index in range(5):
        await backdated.agent_run(conversation, hours=index, prompt_version=f"v{index}")
    seen, after = [], None
    while True:
        body = (await graphql(client, RUNS, key=key, variables={"first": 2, "after": after})).json()
        connection = body["data"]["agentRuns"]
        seen += [edge["node"]["promptVersion"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == ["v4", "v3", "v2", "v1", "v0"]


async def test_run_detail_shows_its_messages_and_tool_calls_in_order(client, make_key):
    key = await make_key(Scope.READ)
    conversation = await backdated.conversation(
        "+1555",
        status=ConversationStatus.HANDED_OFF,
        handed_off_at=backdated.BASE + timedelta(hours=1),
        handoff_reason="asked for a person",
    )
    trigger = await Message.create(
        conversation=conversation,
        sequence=1,
        direction=MessageDirection.INBOUND,
        author=MessageAuthor.CUSTOMER,
        text="Can I book a haircut?",
    )
    reply = await Message.create(
        conversation=conversation,
        sequence=2,
        direction=MessageDirection.OUTBOUND,
        author=MessageAuthor.AGENT,
        text="Tomorrow at 10?",
        delivery_status=DeliveryStatus.SENT,
        delivery_attempts=2,
        delivered_at=backdated.BASE + timedelta(minutes=1),
        delivery_error="timeout on the first try",
    )
    run = await backdated.agent_run(
        conversation,
        hours=0,
        trigger_message=trigger,
        reply_message=reply,
        model="gpt-test",
        intent="book",
        prompt_tokens=120,
        completion_tokens=30,
    )
    # Stored out of order: the API orders them by position.
    await ToolCall.create(
        run=run,
        position=2,
        name="book_slot",
        arguments={"slot": "s-1"},
        result=None,
        error="slot taken",
        latency_ms=4.5,
    )
    await ToolCall.create(
        run=run,
        position=1,
        name="check_availability",
        arguments={"service": "haircut"},
        result={"slots": ["s-1", "s-2"]},
        latency_ms=3.0,
    )
    run_id = to_base64("AgentRun", str(run.id))

    body = (await graphql(client, RUN_DETAIL, key=key, variables={"id": run_id})).json()
    detail = body["data"]["agentRun"]
    assert detail["id"] == run_id
    assert (detail["model"], detail["intent"], detail["promptTokens"], detail["completionTokens"]) == (
        "gpt-test",
        "book",
        120,
        30,
    )
    assert detail["conversation"] == {
        "customer": "+1555",
        "status": "HANDED_OFF",
        "handedOffAt": "2026-03-01T01:00:00+00:00",
        "handoffReason": "asked for a person",
    }
    assert detail["triggerMessage"] == {
        "text": "Can I book a haircut?",
        "direction": "INBOUND",
        "deliveryStatus": None,
    }
    assert detail["replyMessage"] == {
        "text": "Tomorrow at 10?",
        "deliveryStatus": "SENT",
        "deliveryAttempts": 2,
        "deliveredAt": "2026-03-01T00:01:00+00:00",
        "deliveryError": "timeout on the first try",
    }
    assert detail["toolCalls"] == [
        {
            "position": 1,
            "name": "check_availability",
            "arguments": {"service": "haircut"},
            "result": {"slots": ["s-1", "s-2"]},
            "error": None,
            "latencyMs": 3.0,
        },
        {
            "position": 2,
            "name": "book_slot",
            "arguments": {"slot": "s-1"},
            "result": None,
            "error": "slot taken",
            "latencyMs": 4.5,
        },
    ]

    node = (await graphql(client, NODE, key=key, variables={"id": run_id})).json()["data"]["node"]
    assert node == {
        "__typename": "AgentRun",
        "policy": "rules",
        "toolCalls": [{"name": "check_availability"}, {"name": "book_slot"}],
    }


async def test_agent_run_by_id_is_null_when_missing_and_refuses_other_ids(client, make_key):
    key = await make_key(Scope.READ)
    missing = to_base64("AgentRun", "00000000-0000-0000-0000-000000000000")
    assert (await graphql(client, RUN_DETAIL, key=key, variables={"id": missing})).json() == {
        "data": {"agentRun": None}
    }
    conversation = await backdated.conversation("+1555")
    wrong_type = to_base64("Conversation", str(conversation.id))
    body = (await graphql(client, RUN_DETAIL, key=key, variables={"id": wrong_type})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    not_a_uuid = to_base64("AgentRun", "nope")
    body = (await graphql(client, RUN_DETAIL, key=key, variables={"id": not_a_uuid})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_agent_runs_need_the_read_scope(client, make_key):
    ingest_only = await make_key(Scope.INGEST)
    response = await graphql(client, RUNS, key=ingest_only)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_conversation_shows_only_its_own_runs_bookings_and_tickets(client, make_key):
    key = await make_key(Scope.READ)
    watched = await backdated.conversation("+1555")
    other = await backdated.conversation("+1666")
    for hours in range(3):
        await backdated.agent_run(watched, hours=hours, prompt_version=f"v{hours}")
        await backdated.agent_run(other, hours=hours, prompt_version=f"other-{hours}")
    await backdated.booking("Ada", hours=0, conversation=watched)
    await backdated.booking("Bo", hours=1, conversation=other)
    await backdated.ticket("broken box", hours=0, conversation=watched)
    await backdated.ticket("late parcel", hours=1, conversation=other)
    watched_id = to_base64("Conversation", str(watched.id))

    body = (await graphql(client, CONVERSATION_WORK, key=key, variables={"id": watched_id, "runs": 2})).json()
    assert body["data"]["conversation"] == {
        "handedOffAt": None,
        "handoffReason": None,
        "runs": [{"promptVersion": "v2"}, {"promptVersion": "v1"}],
        "bookings": [{"customerName": "Ada", "staffName": "Ana"}],
        "tickets": [{"subject": "broken box"}],
    }
    every_run = (await graphql(client, CONVERSATION_WORK, key=key, variables={"id": watched_id})).json()
    assert [run["promptVersion"] for run in every_run["data"]["conversation"]["runs"]] == ["v2", "v1", "v0"]
