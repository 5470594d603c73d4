"""Conversations in a real browser: filters and pages, rows that arrive live, the detail page and its
actions."""

from __future__ import annotations

import asyncio
import time
import uuid

from tests.dashboard.conftest import log_in
from tests.dashboard.driving import (
    call_api,
    choose,
    conversations_with_text,
    new_sender,
    send_customer_message,
    session_token,
)

SEND_HUMAN_REPLY = """
mutation Reply($input: SendHumanReplyInput!) {
  sendHumanReply(input: $input) { __typename }
}
"""
ROWS = "#conversation-table .conversation-row"


async def _wait_for_row_count(page, count: int) -> None:
    await page.wait_for_function(f"document.querySelectorAll('{ROWS}').length === {count}", timeout=20_000)


async def _wait_for_feed(dashboard, expected: dict[str, int], *, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while (status := dashboard.live_feed_status()) != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert status == expected


async def _search(page, text: str) -> None:
    await page.fill("#filter-text", text)
    await page.click("#filter-text-submit")


async def test_filters_and_pages_change_the_rows(dashboard, dashboard_users, browser_context):
    operator = dashboard_users["operator"]
    token = session_token(dashboard, operator)
    marker = f"walrus{uuid.uuid4().hex[:8]}"
    for index in range(12):
        send_customer_message(
            dashboard,
            token,
            sender=new_sender() if index % 3 else f"chat-{uuid.uuid4().hex[:10]}",
            channel="SMS" if index % 3 else "CHAT",
            text=f"Do you open on Sunday? {marker}",
        )
    await conversations_with_text(dashboard, token, marker, count=12)

    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/conversations")
    await _search(page, marker)
    await _wait_for_row_count(page, 12)

    await choose(page, "conversations-page-size", "10")
    await _wait_for_row_count(page, 10)
    first_page = await page.locator(ROWS).evaluate_all("rows => rows.map(row => row.dataset.conversationId)")
    await page.click("#conversations-next")
    await _wait_for_row_count(page, 2)
    assert await page.locator("#conversations-page-number").inner_text() == "Page 2"
    assert await page.locator("#conversations-next").is_disabled()
    second_page = await page.locator(ROWS).evaluate_all("rows => rows.map(row => row.dataset.conversationId)")
    assert not set(first_page) & set(second_page)
    await page.click("#conversations-previous")
    await _wait_for_row_count(page, 10)
    assert (
        await page.locator(ROWS).evaluate_all("rows => rows.map(row => row.dataset.conversationId)")
        == first_page
    )

    await choose(page, "filter-channel", "Chat")
    await _wait_for_row_count(page, 4)
    assert all("CHAT" in text for text in await page.locator(ROWS).all_inner_texts())
    await choose(page, "filter-status", "Closed")
    await page.locator("#conversations-empty").wait_for()
    assert "No conversation matches these filters." in await page.locator("#conversations-empty").inner_text()


async def test_an_ingested_event_appears_in_conversations_without_a_reload(
    dashboard, dashboard_users, browser_context
):
    operator = dashboard_users["operator"]
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.evaluate("window.__same_page = true")
    # From Overview through the navigation, as a person goes: the tab keeps one session, and the live feed
    # hands its conversation updates to the Conversations page from now on, no longer to Overview.
    await page.locator("#navigation a", has_text="Conversations").click()
    await page.wait_for_url("**/conversations")
    await page.locator("#conversation-table").wait_for(state="attached")
    # conversations for this page, incident alerts for the toasts; Overview's metrics stopped
    await _wait_for_feed(dashboard, {"consumers": 1, "subscriptions": 2, "sessions": 1})

    sender = new_sender()
    started = time.monotonic()
    send_customer_message(
        dashboard,
        session_token(dashboard, operator),
        sender=sender,
        text="Can I move my appointment to Friday?",
    )
    row = page.locator(ROWS, has_text=sender)
    await row.wait_for(timeout=30_000)
    print(f"ingest to row in Conversations: {time.monotonic() - started:.2f}s")
    assert "SMS" in await row.inner_text()
    assert await page.evaluate("window.__same_page === true"), "the page was reloaded"
    # The row follows the conversation: the agent's answer makes it two messages.
    await page.wait_for_function(
        f"""[...document.querySelectorAll('{ROWS}')].some(
               row => row.innerText.includes('{sender}') && /\\b2\\b/.test(row.cells[4].innerText))""",
        timeout=30_000,
    )


async def test_a_human_reply_from_the_detail_page_reaches_the_delivery_endpoint(
    dashboard, dashboard_users, browser_context, fake_provider
):
    operator = dashboard_users["operator"]
    sender = new_sender()
    marker = f"heron{uuid.uuid4().hex[:8]}"
    send_customer_message(
        dashboard,
        session_token(dashboard, operator),
        sender=sender,
        text=f"Is parking available near you? {marker}",
    )
    await conversations_with_text(dashboard, session_token(dashboard, operator), marker, count=1)

    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/conversations")
    await _search(page, marker)
    await page.locator(".conversation-link", has_text=sender).click()
    await page.wait_for_url("**/conversations/**")
    await page.locator("#conversation-customer", has_text=sender).wait_for()
    await page.locator(".conversation-run").first.wait_for()  # the agent's turn is listed

    reply = f"Yes, there is free parking behind the shop. {marker}"
    await page.fill("#reply-text", reply)
    await page.click("#send-reply")
    await page.locator("#action-message", has_text="Reply queued").wait_for()

    deadline = time.monotonic() + 30
    while not any(record["Body"] == reply for record in fake_provider.sent_to(sender)):
        assert time.monotonic() < deadline, "the human reply never reached the SMS provider"
        await page.wait_for_timeout(200)
    # The thread follows the delivery live: the human's message ends up SENT without a reload.
    human = page.locator(".thread-message[data-author='HUMAN']", has_text=reply)
    await human.locator(".delivery-status", has_text="SENT").wait_for(timeout=20_000)


async def test_a_viewer_sees_no_actions_on_a_conversation_and_the_api_refuses_them(
    dashboard, dashboard_users, browser_context
):
    operator_token = session_token(dashboard, dashboard_users["operator"])
    marker = f"otter{uuid.uuid4().hex[:8]}"
    send_customer_message(
        dashboard, operator_token, sender=new_sender(), text=f"What are your prices? {marker}"
    )
    conversation = (await conversations_with_text(dashboard, operator_token, marker, count=1))[0]

    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])
    await page.goto(f"{dashboard.url}/conversations")
    await _search(page, marker)
    await page.locator(".conversation-link").first.click()
    await page.locator("#read-only").wait_for()
    await page.locator(".thread-message").first.wait_for()
    for control in ("#reply-text", "#send-reply", "#return-to-agent", "#make-golden"):
        assert await page.locator(control).count() == 0, control

    viewer_token = session_token(dashboard, dashboard_users["viewer"])
    refused = call_api(
        dashboard,
        SEND_HUMAN_REPLY,
        token=viewer_token,
        variables={"input": {"conversationId": conversation["id"], "text": "hello"}},
    )
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
