"""The dashboard in a real browser: login, live Overview, roles, and one shared live feed per process."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx

from tests.dashboard.conftest import log_in, wait_for_login_page

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginPayload { token } }
}
"""
INGEST_EVENT = """
mutation Ingest($input: IngestEventInput!) {
  ingestEvent(input: $input) { __typename ... on EventAccepted { eventId } }
}
"""
REPLAY_DEAD_LETTERS = "mutation { replayDeadLetters(input: {}) { replayed } }"


def _session_token(dashboard, user) -> str:
    response = httpx.post(
        dashboard.api_url,
        json={
            "query": LOGIN,
            "variables": {"input": {"email": user.email, "password": user.password}},
        },
        timeout=10,
    )
    return response.json()["data"]["login"]["token"]


async def _wait_for_status(dashboard, expected: dict[str, int], *, timeout: float = 15) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    status = dashboard.live_feed_status()
    while status != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        status = dashboard.live_feed_status()
    assert status == expected
    return status


async def test_a_wrong_password_is_refused_clearly_and_the_right_one_logs_in(
    dashboard, dashboard_users, browser_context
):
    user = dashboard_users["operator"]
    page = await browser_context.new_page()
    await page.goto(f"{dashboard.url}/")
    await wait_for_login_page(page)
    await page.fill("#login-email", user.email)
    await page.fill("#login-password", "not-the-password")
    await page.click("#login-submit")
    error = page.locator("#login-error")
    await error.wait_for()
    assert "e-mail or password is wrong" in await error.inner_text()

    await page.fill("#login-password", user.password)
    await page.click("#login-submit")
    await page.wait_for_selector("#user-email")
    assert await page.locator("#user-email").inner_text() == user.email
    assert await page.locator("#user-role").inner_text() == "OPERATOR"
    assert page.url.rstrip("/") == dashboard.url

    await page.click("#logout")
    await wait_for_login_page(page)
    await page.goto(f"{dashboard.url}/")
    await wait_for_login_page(page)  # the session is gone, not just hidden


async def test_an_ingested_event_appears_on_overview_without_a_reload(
    dashboard, dashboard_users, browser_context
):
    operator = dashboard_users["operator"]
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.evaluate("window.__same_page = true")

    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    event = {
        "channel": "SMS",
        "idempotencyKey": f"dash-{uuid.uuid4()}",
        "sender": sender,
        "text": "Can I book a haircut tomorrow at 3pm?",
        "occurredAt": datetime.now(UTC).isoformat(),
    }
    response = httpx.post(
        dashboard.api_url,
        json={"query": INGEST_EVENT, "variables": {"input": event}},
        headers={"Authorization": f"Bearer {_session_token(dashboard, operator)}"},
        timeout=10,
    )
    assert response.json()["data"]["ingestEvent"]["__typename"] == "EventAccepted"

    row = page.locator("#conversation-feed .conversation-row", has_text=sender)
    await row.wait_for(timeout=30_000)
    assert "SMS" in await row.inner_text()
    assert await page.evaluate("window.__same_page === true"), "the page was reloaded"
    # The KPI cards follow the live metrics too.
    await page.wait_for_function(
        "document.querySelector('#kpi-turns-per-minute').innerText !== '–'", timeout=30_000
    )


async def test_a_viewer_sees_no_actions_and_the_api_refuses_them(dashboard, dashboard_users, browser_context):
    operator_page = await browser_context.new_page()
    await log_in(operator_page, dashboard, dashboard_users["operator"])
    await operator_page.locator("#replay-dead-letters").wait_for()

    viewer_context = await browser_context.browser.new_context()
    try:
        viewer_page = await viewer_context.new_page()
        await log_in(viewer_page, dashboard, dashboard_users["viewer"])
        await viewer_page.locator("#kpi-dead-letters").wait_for()
        assert await viewer_page.locator("#replay-dead-letters").count() == 0
        assert await viewer_page.locator("#user-role").inner_text() == "VIEWER"
    finally:
        await viewer_context.close()

    viewer_token = _session_token(dashboard, dashboard_users["viewer"])
    refused = httpx.post(
        dashboard.api_url,
        json={"query": REPLAY_DEAD_LETTERS},
        headers={"Authorization": f"Bearer {viewer_token}"},
        timeout=10,
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_tabs_share_one_live_feed_and_closing_them_leaves_nothing_running(
    dashboard, dashboard_users, browser_context
):
    await _wait_for_status(dashboard, {"consumers": 0, "subscriptions": 0, "sessions": 0})
    first = await browser_context.new_page()
    await log_in(first, dashboard, dashboard_users["admin"])
    # conversations and metrics for Overview, incident alerts for the toasts on every page
    one_tab = await _wait_for_status(dashboard, {"consumers": 1, "subscriptions": 3, "sessions": 1})

    second = await browser_context.new_page()
    await second.goto(f"{dashboard.url}/")  # the browser is logged in: the second tab too
    await second.wait_for_selector("#user-email")
    await _wait_for_status(
        dashboard, {**one_tab, "sessions": 2}
    )  # still one consumer, the same subscriptions

    await second.close()
    await _wait_for_status(dashboard, one_tab)
    await first.close()
    await _wait_for_status(dashboard, {"consumers": 0, "subscriptions": 0, "sessions": 0})
