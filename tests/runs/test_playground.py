"""agentRespond: a dry run shows the real reply and tool calls and leaves nothing behind; the openai policy
books."""

from datetime import datetime, time

import pytest
from strawberry.relay import to_base64

from backend.agent.models import AgentRun, ToolCall
from backend.conversations.models import Conversation, DeliveryStatus, Message, MessageAuthor
from backend.core.scopes import Scope
from backend.scheduling.models import Booking
from tests.agent.helpers import ZONE, open_business, weekday_ahead
from tests.fake_llm import ScriptedLLM, last_tool_result, say, tool_call
from tests.fake_provider import serve
from tests.helpers import free_port, graphql

AGENT_RESPOND = """
mutation Respond($input: AgentRespondInput!) {
  agentRespond(input: $input) {
    __typename
    ... on AgentRespondPayload {
      dryRun policy promptVersion
      turns { customerText reply status latencyMs toolCalls { name arguments result error } }
    }
    ... on ValidationError { field message }
    ... on NotFoundError { message }
  }
}
"""


async def test_a_dry_run_books_for_real_inside_and_leaves_nothing_behind(client, make_key):
    key = await make_key(Scope.OPERATE)
    await open_business()
    day = weekday_ahead()
    variables = {
        "input": {"messages": [f"book a beard trim {day:%A} at 2pm, name is Lucas Moreau"], "dryRun": True}
    }
    body = (await graphql(client, AGENT_RESPOND, key=key, variables=variables)).json()
    result = body["data"]["agentRespond"]
    assert (
        result["__typename"] == "AgentRespondPayload"
        and result["dryRun"] is True
        and result["policy"] == "rules"
    )
    turn = result["turns"][0]
    assert turn["reply"].startswith("You're booked, Lucas"), turn
    booked = [call for call in turn["toolCalls"] if call["name"] == "book_appointment"][0]
    assert booked["result"]["booked"] is True
    assert booked["result"]["starts_at"].startswith(f"{day.isoformat()}T14:00")
    assert await Booking.all().count() == 0
    assert (
        await Message.all().count() == 0
        and await AgentRun.all().count() == 0
        and await Conversation.all().count() == 0
    )


@pytest.mark.parametrize(
    "bad,field",
    [
        ({"messages": []}, "messages"),
        ({"messages": ["hi"], "policy": "magic"}, "policy"),
        ({"messages": ["hi"], "promptVersion": "v99"}, "promptVersion"),
    ],
)
async def test_bad_playground_input_is_a_typed_error(client, make_key, bad, field):
    key = await make_key(Scope.OPERATE)
    result = (await graphql(client, AGENT_RESPOND, key=key, variables={"input": bad})).json()["data"][
        "agentRespond"
    ]
    assert result["__typename"] == "ValidationError" and result["field"] == field


async def test_the_openai_policy_books_through_scripted_tool_calls(
    client, make_key, test_settings, monkeypatch
):
    key = await make_key(Scope.OPERATE)
    await open_business()
    day = weekday_ahead()
    llm = ScriptedLLM(
        script=[
            tool_call(
                "check_availability",
                {"service": "dental cleaning", "date_from": day.isoformat(), "from_time": "10:00"},
            ),
            tool_call(
                "book_appointment",
                lambda body: {
                    "slot_id": last_tool_result(body)["slots"][0]["slot_id"],
                    "customer_name": "Priya Natarajan",
                },
            ),
            say(lambda body: f"Booked for {last_tool_result(body)['starts_at'][11:16]}, Priya!"),
        ]
    )
    async with serve(llm.app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        monkeypatch.setattr(test_settings, "openai_model", "scripted-test-model")
        variables = {
            "input": {
                "messages": [f"Need a dental cleaning {day:%A} at 10"],
                "policy": "openai",
                "dryRun": False,
            }
        }
        result = (await graphql(client, AGENT_RESPOND, key=key, variables=variables)).json()["data"][
            "agentRespond"
        ]

    assert result["policy"] == "openai" and result["turns"][0]["reply"] == "Booked for 10:00, Priya!"
    booking = await Booking.get().prefetch_related("slot")
    local = booking.slot.starts_at.astimezone(ZONE)
    assert (local.date(), local.time(), booking.customer_name) == (day, time(10), "Priya Natarajan")
    run = await AgentRun.get()
    assert run.policy == "openai" and run.model == "scripted-test-model"
    assert run.prompt_tokens > 100 and run.completion_tokens == 60
    assert [call.name for call in await ToolCall.filter(run=run).order_by("position")] == [
        "check_availability",
        "book_appointment",
    ]
    system = llm.requests[0]["messages"][0]
    assert system["role"] == "system" and "America/New_York" in system["content"]
    assert {tool["function"]["name"] for tool in llm.requests[0]["tools"]} == {
        "check_availability",
        "book_appointment",
        "find_bookings",
        "cancel_booking",
        "reschedule_booking",
        "create_ticket",
        "handoff_to_human",
    }
    assert await Conversation.all().count() == 1


async def test_a_kept_turn_on_a_customers_conversation_is_the_operators_and_reaches_no_one(
    client, make_key, app
):
    key = await make_key(Scope.OPERATE)
    await open_business()
    conversation = await Conversation.create(
        channel="SMS", thread_key="+15550901234", customer="+15550901234", last_message_at=datetime.now(ZONE)
    )
    conversation_id = to_base64("Conversation", conversation.id)
    variables = {
        "input": {"messages": ["are you open tomorrow?"], "conversationId": conversation_id, "dryRun": False}
    }
    result = (await graphql(client, AGENT_RESPOND, key=key, variables=variables)).json()["data"][
        "agentRespond"
    ]
    assert result["turns"][0]["reply"]

    inbound, reply = await Message.filter(conversation=conversation).order_by("sequence")
    assert inbound.author == MessageAuthor.OPERATOR and inbound.text == "are you open tomorrow?"
    assert (
        reply.author == MessageAuthor.AGENT and reply.delivery_status is None
    )  # never queued for the customer
    queue = app.state.services.ingest.queue
    assert await queue.count("queued") == 0 and await queue.count("active") == 0

    # Asked for explicitly, the reply goes to the customer like any other.
    variables["input"]["deliver"] = True
    await graphql(client, AGENT_RESPOND, key=key, variables=variables)
    last = await Message.filter(conversation=conversation).order_by("-sequence").first()
    assert last.author == MessageAuthor.AGENT and last.delivery_status in (
        DeliveryStatus.QUEUED,
        DeliveryStatus.SENT,
    )
