"""The loopback model: answers from `rounds:N` and from the rules replay, its counters, and the product on
it."""

import asyncio
import json
import uuid
from datetime import date, datetime, timedelta

import httpx
import pytest

from backend.agent.policies.phrasing import say_time
from backend.agent.prompts import load_prompt
from backend.agent.tools.registry import TOOLS, CheckAvailability
from backend.core.scopes import Scope
from backend.loopback.app import create_loopback_app
from backend.scheduling.models import Booking
from tests.agent.helpers import ZONE, open_business, weekday_ahead
from tests.fake_provider import serve
from tests.helpers import free_port, graphql
from tests.runs.test_playground import AGENT_RESPOND

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=ZONE)  # a Monday, business-local
WEDNESDAY = date(2026, 12, 9)
TOOL_SCHEMAS = [tool.json_schema() for tool in TOOLS.values()]


def system(version: str = "v1") -> dict:
    """The system message the openai policy renders on NOW."""
    text = load_prompt("support-agent", version).render(
        timezone=str(ZONE), today=NOW.strftime("%A %Y-%m-%d %H:%M")
    )
    return {"role": "system", "content": text}


def slots(day: date, *times: str, service: str = "haircut") -> dict:
    """A check_availability result as the product's tool returns it."""
    found = []
    for index, at in enumerate(times):
        starts = datetime.combine(day, datetime.strptime(at, "%H:%M").time(), ZONE)
        found.append(
            {
                "slot_id": str(uuid.UUID(int=index + 1)),
                "service": service,
                "staff": "Dana",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(minutes=30)).isoformat(),
            }
        )
    return {"slots": found}


def message_of(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert (
        body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + body["usage"]["completion_tokens"]
    )
    choice = body["choices"][0]
    assert choice["finish_reason"] == ("tool_calls" if choice["message"].get("tool_calls") else "stop")
    return choice["message"]


def only_call(message: dict) -> tuple[str, dict]:
    (call,) = message["tool_calls"]
    assert call["type"] == "function" and call["id"].startswith("call_")
    return call["function"]["name"], json.loads(call["function"]["arguments"])


@pytest.fixture
async def loopback():
    """A client for a loopback model app, made with the given options."""
    clients: list[httpx.AsyncClient] = []

    def make(**options) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=create_loopback_app(**options))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://loopback"))
        return clients[-1]

    yield make
    for client in clients:
        await client.aclose()


async def complete(model: httpx.AsyncClient, messages: list[dict], *, tools: bool = True) -> dict:
    body = {"model": "loopback-test", "messages": messages, **({"tools": TOOL_SCHEMAS} if tools else {})}
    return message_of(await model.post("/v1/chat/completions", json=body))


async def test_rounds_two_asks_one_valid_tool_call_then_answers(loopback):
    model = loopback(behaviour="rounds:2")
    messages = [system(), {"role": "user", "content": "anything free?"}]
    first = await complete(model, messages)
    name, arguments = only_call(first)
    assert name == "check_availability"
    assert CheckAvailability.model_validate(arguments).date_from == NOW.date()
    messages += [
        first,
        {
            "role": "tool",
            "tool_call_id": first["tool_calls"][0]["id"],
            "content": json.dumps(slots(NOW.date(), "10:00")),
        },
    ]
    second = await complete(model, messages)
    assert second["content"] and not second.get("tool_calls")
    # A new turn starts counting again.
    messages += [second, {"role": "user", "content": "and tomorrow?"}]
    assert only_call(await complete(model, messages))[0] == "check_availability"


async def test_the_rules_behaviour_books_step_by_step(loopback):
    model = loopback()
    messages = [system(), {"role": "user", "content": "Can I book a haircut on Wednesday?"}]
    asked = await complete(model, messages)
    name, arguments = only_call(asked)
    assert (name, arguments["service"], arguments["date_from"]) == (
        "check_availability",
        "haircut",
        "2026-12-09",
    )
    messages += [
        asked,
        {
            "role": "tool",
            "tool_call_id": asked["tool_calls"][0]["id"],
            "content": json.dumps(slots(WEDNESDAY, "09:00", "09:30", "10:00", "10:30")),
        },
    ]
    offered = await complete(model, messages)
    assert (
        offered["content"]
        == "For a haircut Wednesday, Dec 9 I can do 9am, 9:30am or 10am. Which works for you?"
    )

    # The next turn replays the first (its call answered from the thread) and books the time picked.
    messages += [offered, {"role": "user", "content": "9:30 works, I'm Maria Lopez"}]
    booking = await complete(model, messages)
    picked = {"slot_id": str(uuid.UUID(int=2)), "customer_name": "Maria Lopez"}
    assert only_call(booking) == ("book_appointment", picked)
    starts = {**slots(WEDNESDAY, "09:30")["slots"][0], "slot_id": picked["slot_id"]}
    messages += [
        booking,
        {
            "role": "tool",
            "tool_call_id": booking["tool_calls"][0]["id"],
            "content": json.dumps({"booked": True, "booking_id": str(uuid.uuid4()), **starts}),
        },
    ]
    confirmed = await complete(model, messages)
    assert confirmed["content"].startswith(
        "You're booked, Maria: haircut with Dana Wednesday, Dec 9 at 9:30am."
    )


async def test_the_rules_behaviour_follows_the_prompt_version(loopback):
    model = loopback()
    messages = [system("v2"), {"role": "user", "content": "Can I book a haircut on Wednesday?"}]
    asked = await complete(model, messages)
    messages += [
        asked,
        {
            "role": "tool",
            "tool_call_id": asked["tool_calls"][0]["id"],
            "content": json.dumps(slots(WEDNESDAY, "09:00", "09:30", "10:00")),
        },
    ]
    offered = (await complete(model, messages))["content"]
    assert offered == "For a haircut Wednesday, Dec 9 I can do 9am. Which works for you?"


async def test_the_same_request_gets_the_same_answer(loopback):
    messages = [
        system(),
        {"role": "user", "content": "I need a massage on Wednesday at 2pm, name is Tom Becker"},
    ]
    body = {"model": "loopback-test", "messages": messages, "tools": TOOL_SCHEMAS}
    answers = [(await loopback().post("/v1/chat/completions", json=body)).json() for _ in range(3)]
    assert len({json.dumps([answer["id"], answer["choices"]], sort_keys=True) for answer in answers}) == 1
    assert only_call(answers[0]["choices"][0]["message"])[1]["from_time"] == "14:00"


async def test_a_thread_without_tool_results_still_gets_an_answer(loopback):
    # What an older product sends: earlier turns as plain text. Those turns' calls are answered "not
    # available".
    messages = [
        system(),
        {"role": "user", "content": "Do you have a beard trim on Wednesday?"},
        {"role": "assistant", "content": "For a beard trim Wednesday, Dec 9 I can do 9am or 9:30am."},
        {"role": "user", "content": "Thanks!"},
    ]
    model = loopback()
    assert (await complete(model, messages))["content"] == "You're welcome! Anything else I can help with?"
    # With its last round the caller offers no tools: a call the policy still wants becomes a plain answer.
    assert "couldn't finish" in (await complete(model, messages[:2], tools=False))["content"]


async def test_stats_count_calls_in_flight_under_concurrency(loopback):
    model = loopback(behaviour="rounds:1", latency_ms=300)
    messages = [system(), {"role": "user", "content": "hello"}]
    await asyncio.gather(*(complete(model, messages) for _ in range(25)))
    assert (await model.get("/stats")).json() == {"calls": 25, "in_flight": 0, "max_in_flight": 25}
    assert (await model.post("/stats/reset")).json() == {"calls": 0, "in_flight": 0, "max_in_flight": 0}
    assert (await model.get("/v1/models")).json()["data"][0]["id"] == "loopback-rounds:1"


async def test_bad_requests_are_answered_in_the_openai_error_format(loopback):
    model = loopback()
    for body in ({"messages": "hi"}, {"messages": [{"role": "system", "content": "no user"}]}):
        response = await model.post("/v1/chat/completions", json=body)
        assert response.status_code == 400 and response.json()["error"]["message"]
    with pytest.raises(ValueError, match="unknown behaviour"):
        create_loopback_app(behaviour="rounds:")


async def test_the_openai_policy_offers_real_slots_from_the_loopback_model(
    client, make_key, test_settings, monkeypatch
):
    key = await make_key(Scope.OPERATE)
    await open_business()
    day = weekday_ahead()
    async with serve(create_loopback_app(), free_port()) as base:
        monkeypatch.setattr(test_settings, "openai_base_url", f"{base}/v1")
        variables = {
            "input": {"messages": [f"Do you have a haircut on {day:%A}?"], "policy": "openai", "dryRun": True}
        }
        result = (await graphql(client, AGENT_RESPOND, key=key, variables=variables)).json()["data"][
            "agentRespond"
        ]

    turn = result["turns"][0]
    assert result["policy"] == "openai" and turn["status"] == "OK", turn
    (checked,) = turn["toolCalls"]
    assert checked["name"] == "check_availability" and checked["arguments"]["date_from"] == day.isoformat()
    starts = sorted({datetime.fromisoformat(slot["starts_at"]) for slot in checked["result"]["slots"]})[:3]
    assert len(starts) == 3 and all(start.date() == day for start in starts)
    offered = ", ".join(say_time(start) for start in starts[:2]) + f" or {say_time(starts[2])}"
    assert f"I can do {offered}. Which works for you?" in turn["reply"], turn["reply"]
    assert await Booking.all().count() == 0
