"""An UNCERTAIN reply in a real browser: the navigation's badge counts it, Replies to check lists it, an
operator resends it only through a warning that it may arrive twice, and a viewer cannot.

How a reply becomes UNCERTAIN on real processes (a worker SIGKILLed while the provider holds the answer, a
provider that cannot be asked) is tests/channels/test_delivery_kills.py; here a delivered reply is marked
UNCERTAIN in the database, as that path leaves it, so the page is tested on the session's shared API, workers
and dashboard.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest
from strawberry.relay import from_base64

from tests.dashboard.api_calls import data, session_token
from tests.dashboard.conftest import log_in

INGEST_EVENT = """mutation($input: IngestEventInput!) { ingestEvent(input: $input) { __typename } }"""
REPLIES_OF = """
query($customer: String!) {
  conversations(first: 1, filter: {customer: $customer}) {
    edges { node { messages(first: 10) { edges { node { id author deliveryStatus deliveryResentBy } } } } }
  }
}
"""


def _agent_reply(dashboard, token: str, customer: str) -> dict | None:
    edges = data(dashboard, token, REPLIES_OF, {"customer": customer})["conversations"]["edges"]
    messages = [edge["node"] for edge in edges[0]["node"]["messages"]["edges"]] if edges else []
    return next((message for message in messages if message["author"] == "AGENT"), None)


async def _wait(predicate, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for {message}")


@pytest.fixture
async def uncertain_reply(dashboard, dashboard_users, fake_provider, test_settings) -> dict:
    """A reply the agent sent, then marked UNCERTAIN as settling leaves one: {id, customer}."""
    token = session_token(dashboard, dashboard_users["operator"])
    customer = f"+1555{uuid.uuid4().int % 10**7:07d}"
    sent = {
        "channel": "SMS",
        "idempotencyKey": f"uncertain-{uuid.uuid4().hex[:8]}",
        "sender": customer,
        "text": "Do you have anything on Friday?",
        "occurredAt": "2026-12-01T10:00:00Z",
    }
    assert (
        data(dashboard, token, INGEST_EVENT, {"input": sent})["ingestEvent"]["__typename"] == "EventAccepted"
    )
    reply = await _wait(
        lambda: _sent_reply(dashboard, token, customer), timeout=60, message="the agent's reply SENT"
    )
    connection = await asyncpg.connect(str(test_settings.database_url))
    try:
        await connection.execute(
            "UPDATE messages SET delivery_status = 'UNCERTAIN', delivery_error = $2 WHERE id = $1",
            uuid.UUID(from_base64(reply["id"])[1]),
            "an attempt did not finish and the provider cannot tell",
        )
    finally:
        await connection.close()
    return {"id": reply["id"], "customer": customer, "token": token}


def _sent_reply(dashboard, token: str, customer: str) -> dict | None:
    found = _agent_reply(dashboard, token, customer)
    return found if found and found["deliveryStatus"] == "SENT" else None


async def test_a_viewer_sees_an_uncertain_reply_but_cannot_resend_it(
    dashboard, dashboard_users, uncertain_reply, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])
    await page.locator("#uncertain-replies-badge").wait_for()
    await page.goto(f"{dashboard.url}/replies")
    row = page.locator(f'#reply-list .reply-row[data-reply-id="{uncertain_reply["id"]}"]')
    await row.wait_for()
    assert await row.locator(".delivery-status").inner_text() == "UNCERTAIN"
    assert (
        await page.locator(".resend-reply").count() == 0
    )  # hidden from viewers; the API refuses them anyway


async def test_an_operator_sees_an_uncertain_reply_and_resends_it_knowingly(
    dashboard, dashboard_users, uncertain_reply, fake_provider, browser_context
):
    customer, token = uncertain_reply["customer"], uncertain_reply["token"]
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["operator"])
    badge = page.locator("#uncertain-replies-badge")
    await badge.wait_for()
    assert int(await badge.inner_text()) >= 1

    await page.goto(f"{dashboard.url}/replies")
    row = page.locator(f'#reply-list .reply-row[data-reply-id="{uncertain_reply["id"]}"]')
    await row.wait_for()
    assert await row.locator(".delivery-status").inner_text() == "UNCERTAIN"
    await row.locator(".resend-reply").click()
    assert (
        "twice" in await page.locator("#resend-risk").inner_text()
    )  # the risk, said before anything is sent
    assert len(fake_provider.sent_to(customer)) == 1
    await page.click("#confirm-resend")
    await page.locator("#replies-message", has_text="Queued again").wait_for()

    resent = await _wait(
        lambda: _sent_reply(dashboard, token, customer), timeout=60, message="the resent reply SENT"
    )
    assert resent["deliveryResentBy"] and len(fake_provider.sent_to(customer)) == 2
    await row.wait_for(state="detached")  # no longer UNCERTAIN: gone from the list
