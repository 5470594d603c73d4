"""Agent runs in a real browser: filters and pages, a run's detail, and the dry-run playground."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.dashboard.conftest import log_in
from tests.dashboard.driving import (
    call_api,
    choose,
    conversations_with_text,
    new_sender,
    open_the_business,
    send_customer_message,
    session_token,
)

AGENT_RESPOND = """
mutation Respond($input: AgentRespondInput!) { agentRespond(input: $input) { __typename } }
"""
ROWS = "#run-table .run-row"


@pytest.fixture(scope="module")
def business(dashboard) -> None:
    open_the_business()


def _weekday_ahead() -> datetime:
    day = datetime.now(UTC) + timedelta(days=3)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def test_run_filters_pages_and_detail(dashboard, dashboard_users, browser_context):
    operator = dashboard_users["operator"]
    token = session_token(dashboard, operator)
    marker = f"ibis{uuid.uuid4().hex[:8]}"
    for _ in range(11):
        send_customer_message(dashboard, token, sender=new_sender(), text=f"Where are you located? {marker}")
    await conversations_with_text(dashboard, token, marker, count=11)

    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/runs")
    await page.locator(ROWS).first.wait_for()
    await choose(page, "runs-page-size", "10")
    await page.wait_for_function(f"document.querySelectorAll('{ROWS}').length === 10")
    first_page = await page.locator(ROWS).evaluate_all("rows => rows.map(row => row.dataset.runId)")
    await page.click("#runs-next")
    await page.locator("#runs-page-number", has_text="Page 2").wait_for()
    second_page = await page.locator(ROWS).evaluate_all("rows => rows.map(row => row.dataset.runId)")
    assert second_page and not set(first_page) & set(second_page)

    await page.fill("#run-filter-min-latency", "100000000")
    await page.click("#run-filter-apply")
    await page.locator("#runs-empty", has_text="No run matches these filters.").wait_for()
    assert await page.locator("#runs-page-number").inner_text() == "Page 1"
    await page.fill("#run-filter-min-latency", "")
    await choose(page, "run-filter-status", "OK")
    await page.locator(ROWS).first.wait_for()
    assert all("OK" in text for text in await page.locator(ROWS).all_inner_texts())

    await page.locator(".run-link").first.click()
    await page.wait_for_url("**/runs/**")
    await page.locator("#run-status", has_text="OK").wait_for()
    assert await page.locator("#run-customer-text").inner_text() != "–"
    await page.click("#run-conversation-link")
    await page.locator("#conversation-customer").wait_for()


async def test_the_playground_shows_the_reply_and_the_tool_calls_without_keeping_anything(
    dashboard, dashboard_users, browser_context, business
):
    operator = dashboard_users["operator"]
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/runs")
    await page.click("#open-playground")
    await page.wait_for_url("**/runs/playground")
    await page.fill(
        "#playground-messages", f"book a beard trim {_weekday_ahead():%A} at 2pm, name is Lucas Vandermeer"
    )
    await page.click("#playground-run")

    turn = page.locator(".playground-turn")
    await turn.wait_for(timeout=30_000)
    assert (await turn.locator(".playground-reply").inner_text()).startswith("You're booked, Lucas")
    tools = await turn.locator(".tool-call-name").all_inner_texts()
    assert "book_appointment" in tools
    booked = turn.locator(".tool-call", has_text="book_appointment")
    assert '"customer_name": "Lucas' in await booked.locator(".tool-call-arguments").inner_text()
    assert '"booked": true' in await booked.locator(".tool-call-result").inner_text()
    assert "dry run" in await page.locator("#playground-used").inner_text()
    # Dry run: the conversation was rolled back with everything else (nobody else is called Vandermeer; the
    # demo's conversations, reseeded by other modules, ask for beard trims too).
    nothing = await conversations_with_text(
        dashboard, session_token(dashboard, operator), "Vandermeer", count=0
    )
    assert nothing == []

    await page.fill("#playground-messages", "\n".join(["hi"] * 11))
    await page.click("#playground-run")
    await page.locator("#playground-error", has_text="At most 10 messages").wait_for()


async def test_a_viewer_cannot_use_the_playground_and_the_api_refuses_it(
    dashboard, dashboard_users, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])
    await page.goto(f"{dashboard.url}/runs/playground")
    await page.locator("#playground-read-only").wait_for()
    assert await page.locator("#playground-run").count() == 0

    refused = call_api(
        dashboard,
        AGENT_RESPOND,
        token=session_token(dashboard, dashboard_users["viewer"]),
        variables={"input": {"messages": ["hello"]}},
    )
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
