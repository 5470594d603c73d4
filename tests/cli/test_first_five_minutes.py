"""The first five minutes on a fresh `agentops up`, with each policy: the demo's replies are SENT by the
built-in sandbox (none FAILED for want of an endpoint), an operator who writes "Can I book a haircut
tomorrow?" on Try it sees the agent's reply delivered and its tool calls arrive on the page without reloading
it (and what the customer writes next from elsewhere too), and the GraphiQL link `up` prints runs the first
query in a browser that reaches nothing but this machine.

Browser tests, kept here beside test_up.py rather than in tests/dashboard: `up` builds the dashboard for its
own port, and a production build bakes its port into the files (.web/build). Run before the suite's own
dashboard starts (tests/dashboard, which builds again for its port), it cannot point that one's pages at a
closed port.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.cli.first_five_minutes import RunningUp, running_up
from tests.dashboard import graphiql_page
from tests.dashboard.conftest import Dashboard, DashboardUser, log_in
from tests.dashboard.driving import choose, new_sender
from tests.ingest.documents import INGEST_EVENT, event

DEMO_REPLIES = """
query DemoReplies {
  conversations(first: 100, filter: {synthetic: false}) { edges { node { customer
    messages(first: 50) { edges { node { author deliveryStatus deliveryProvider sandbox providerMessageId } }
        }
  } } }
  replyDeliveryCounts { status count }
}
"""
THREAD_BY_CUSTOMER = """
query Thread($customer: String!) {
  conversations(first: 1, filter: {customer: $customer}) { edges { node { id channel
    runs(first: 5) { policy toolCalls { name } }
  } } }
}
"""
QUESTION = "Can I book a haircut tomorrow?"
SENT_REPLIES = "#try-it-thread .try-it-message[data-author='AGENT'][data-delivery='SENT']"


@pytest.fixture(scope="module", params=["rules", "openai"])
def product(request, test_settings, tmp_path_factory) -> Iterator[RunningUp]:
    with running_up(
        test_settings, tmp_path_factory.mktemp(f"up-{request.param}"), policy=request.param
    ) as up:
        yield up


def _api(product: RunningUp, document: str, variables: dict | None = None) -> dict:
    body = httpx.post(
        f"{product.api}/graphql",
        json={"query": document, "variables": variables or {}},
        headers={"Authorization": f"Bearer {product.api_key}"},
        timeout=20,
    ).json()
    assert not body.get("errors"), body
    return body["data"]


async def _demo_replies_settled(product: RunningUp, *, timeout: float = 120) -> list[dict]:
    """The agent's replies in the demo conversations, once none is waiting to go out."""
    deadline = time.monotonic() + timeout
    while True:
        data = _api(product, DEMO_REPLIES)
        replies = [
            edge["node"]
            for conversation in data["conversations"]["edges"]
            for edge in conversation["node"]["messages"]["edges"]
            if edge["node"]["author"] == "AGENT"
        ]
        waiting = {row["status"]: row["count"] for row in data["replyDeliveryCounts"]}
        if replies and not waiting.get("QUEUED") and not waiting.get("SENDING"):
            return replies
        assert time.monotonic() < deadline, f"demo replies still waiting: {waiting}"
        await asyncio.sleep(1)


def _admin(product: RunningUp) -> DashboardUser:
    return DashboardUser(email=product.email, password=product.password, role="admin")


def _dashboard(product: RunningUp) -> Dashboard:
    return Dashboard(url=product.dashboard, api_url=f"{product.api}/graphql", log=product.log)


async def test_the_demo_replies_are_sent_by_the_sandbox(product, browser_context):
    replies = await _demo_replies_settled(product)
    assert {(reply["deliveryStatus"], reply["deliveryProvider"], reply["sandbox"]) for reply in replies} == {
        ("SENT", "SANDBOX", True)
    }
    assert all(reply["providerMessageId"].startswith("SBX") for reply in replies)

    # In the dashboard: a demo conversation's replies read SENT, labelled sandbox.
    page = await browser_context.new_page()
    await log_in(page, _dashboard(product), _admin(product))
    customer = _api(product, DEMO_REPLIES)["conversations"]["edges"][0]["node"]["customer"]
    conversation = _api(product, THREAD_BY_CUSTOMER, {"customer": customer})["conversations"]["edges"][0][
        "node"
    ]
    await page.goto(f"{product.dashboard}/conversations/{conversation['id']}")
    reply = page.locator(".thread-message[data-author='AGENT']").first
    await reply.locator(".delivery-status", has_text="SENT").wait_for()
    await reply.locator(".sandbox-badge").wait_for()
    assert "no customer received it" in await reply.inner_text()
    assert not await page.locator(".delivery-status", has_text="FAILED").count()


async def test_an_operator_talks_to_the_agent_from_try_it_and_sees_the_reply_and_its_tools_live(
    product, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, _dashboard(product), _admin(product))
    await page.locator("#navigation a", has_text="Try it").click()
    await page.wait_for_selector("#try-it-send")
    await page.locator("#try-it-delivery", has_text="built-in sandbox").wait_for()
    customer = await page.input_value("#try-it-customer")
    assert customer.startswith("+1555")
    await page.evaluate("window.notReloaded = true")  # gone if the page were loaded again

    await page.fill("#try-it-text", QUESTION)
    await page.click("#try-it-send")

    thread = page.locator("#try-it-thread")
    await thread.locator(".try-it-message[data-author='CUSTOMER']", has_text=QUESTION).wait_for(
        timeout=30_000
    )
    reply = thread.locator(".try-it-message[data-author='AGENT'][data-delivery='SENT']")
    await reply.wait_for(timeout=30_000)
    await reply.locator(".sandbox-badge").wait_for()
    await page.locator("#try-it-runs .tool-call-name", has_text="check_availability").first.wait_for()
    assert await page.evaluate("window.notReloaded === true")
    assert (await reply.locator(".try-it-text").inner_text()).strip()

    # It went through the real path: a conversation of this customer, answered by the policy under test.
    conversation = _api(product, THREAD_BY_CUSTOMER, {"customer": customer})["conversations"]["edges"][0][
        "node"
    ]
    assert conversation["channel"] == "SMS"
    (run,) = conversation["runs"]
    assert run["policy"] == product.policy and "check_availability" in [
        call["name"] for call in run["toolCalls"]
    ]

    # The page follows the thread by itself: the same customer writes again through another channel adapter
    # (the API, not this page), and the message, the reply and the booking arrive with no click here.
    sent = _api(
        product,
        INGEST_EVENT,
        {"input": event(sender=customer, text="10am please, I'm Sam", channel="SMS")},
    )
    assert sent["ingestEvent"]["__typename"] == "EventAccepted"
    await thread.locator(".try-it-message[data-author='CUSTOMER']", has_text="10am please").wait_for(
        timeout=30_000
    )
    await page.wait_for_function(
        f"document.querySelectorAll({json.dumps(SENT_REPLIES)}).length === 2", timeout=30_000
    )
    await page.locator("#try-it-runs .tool-call-name", has_text="book_appointment").wait_for()
    assert await page.evaluate("window.notReloaded === true")

    await page.click("#try-it-conversation")
    await page.wait_for_selector("#conversation-customer")
    assert await page.inner_text("#conversation-customer") == customer


async def test_a_voice_transcript_from_a_customer_typed_in_is_its_own_thread(product, browser_context):
    page = await browser_context.new_page()
    await log_in(page, _dashboard(product), _admin(product))
    await page.goto(f"{product.dashboard}/try")
    await page.wait_for_selector("#try-it-send")
    await choose(page, "try-it-channel", "Voice transcript")
    await page.locator("#try-it-delivery", has_text="Replies on VOICE").wait_for()
    caller = new_sender()
    await page.fill("#try-it-customer", caller)
    await page.fill("#try-it-text", "Hello, what time do you open on Saturday?")
    await page.click("#try-it-send")  # leaving the field sets the customer first

    reply = page.locator("#try-it-thread .try-it-message[data-author='AGENT'][data-delivery='SENT']")
    await reply.wait_for(timeout=30_000)
    await reply.locator(".sandbox-badge").wait_for()
    # The form kept its channel and customer; only what was said was cleared.
    assert (
        await page.input_value("#try-it-customer") == caller and await page.input_value("#try-it-text") == ""
    )
    assert "Voice transcript" in await page.inner_text("#try-it-channel")
    conversation = _api(product, THREAD_BY_CUSTOMER, {"customer": caller})["conversations"]["edges"][0][
        "node"
    ]
    assert conversation["channel"] == "VOICE"


async def test_a_guardrail_hit_shows_beside_the_reply_and_the_thread_keeps_only_the_redacted_text(
    product, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, _dashboard(product), _admin(product))
    await page.goto(f"{product.dashboard}/try")
    await page.wait_for_selector("#try-it-send")
    await page.fill("#try-it-text", "Can I pay for a haircut with my card 4242 4242 4242 4242?")
    await page.click("#try-it-send")

    await page.locator("#try-it-thread .try-it-message[data-author='AGENT'][data-delivery='SENT']").wait_for(
        timeout=30_000
    )
    hit = page.locator("#try-it-runs .violation-row", has_text="pii")
    await hit.wait_for()
    assert "INPUT" in await hit.inner_text()
    customer_said = await page.locator("#try-it-thread .try-it-message[data-author='CUSTOMER']").inner_text()
    assert "4242 4242 4242 4242" not in customer_said


async def test_the_graphiql_link_up_prints_runs_the_first_query_with_no_internet(product, browser_context):
    elsewhere = await graphiql_page.reach_only(browser_context, product.api)
    page = await browser_context.new_page()
    await page.goto(product.graphiql_link)
    await page.wait_for_selector(".graphiql-execute-button")
    answer = await graphiql_page.run(page, '"customer"')  # the first tab: the newest conversations
    assert "errors" not in answer and len(answer["data"]["conversations"]["edges"]) == 5
    assert elsewhere == []
