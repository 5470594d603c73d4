"""Quality in production, in a real browser: a live turn that claims a cancellation no tool made is scored by
the workers, and an operator sees it where they look — the conversation (live, without reloading), the run,
the Agent runs filter, the incident its quality SLO opens, the Metrics quality panel — and makes a golden case
from it in one click.

Everything runs as in production: the API, four workers (scoring every turn: AGENTOPS_QUALITY_SAMPLE_RATE=1
in tests/conftest.py, SLO windows 200x shorter), the dashboard's production build and chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from urllib.parse import unquote

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from frontend.live.feed import LiveFeed
from frontend.views.formatting import detail_href
from tests.dashboard.api_calls import data
from tests.dashboard.conftest import log_in
from tests.dashboard.driving import (
    choose,
    conversations_with_text,
    new_sender,
    open_the_business,
    send_customer_message,
    session_token,
)

START_DRILL = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
  ... on SimulationPayload { simulation { id } } ... on ValidationError { message } } }"""
STOP_DRILL = "mutation($id: ID!) { stopSimulation(input: {id: $id}) { __typename } }"
UNBACKED = '.score-row[data-evaluator="backed_claims"][data-verdict="fail"]'


@pytest.fixture(scope="module")
def business(dashboard) -> None:
    open_the_business()


async def _keep_asking_until(row, *, dashboard, token: str, sender: str, timeout: float) -> None:
    """Send "Please cancel my appointment" every few seconds until `row` shows (at most `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not await row.is_visible():
        assert time.monotonic() < deadline, f"nothing showed within {timeout} s"
        send_customer_message(dashboard, token, sender=sender, text="Please cancel my appointment")
        with contextlib.suppress(PlaywrightTimeoutError):
            await row.wait_for(timeout=4_000)


async def test_an_unbacked_claim_is_seen_scored_paged_and_made_golden(
    dashboard, dashboard_users, browser_context, business
):
    operator = dashboard_users["operator"]
    token = session_token(dashboard, operator)
    sender, marker = new_sender(), f"heron{uuid.uuid4().hex[:8]}"

    # A first, ordinary turn: the operator opens the conversation while nothing in it has failed.
    send_customer_message(dashboard, token, sender=sender, text=f"Hi there, this is {marker}")
    (conversation,) = await conversations_with_text(dashboard, token, marker, count=1)
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(dashboard.url + detail_href("conversations", conversation["id"]))
    await page.locator("#conversation-scores .score-row").first.wait_for(timeout=30_000)
    assert await page.locator(UNBACKED).count() == 0
    assert await page.locator("#make-golden-from-score").count() == 0

    # The prompt regression drill: the agent now says it cancelled before any tool did.
    started = data(
        dashboard,
        token,
        START_DRILL,
        {"input": {"kind": "PROMPT_REGRESSION", "durationSeconds": 180, "intensity": 1.0}},
    )["startSimulation"]
    assert started["__typename"] == "SimulationPayload", started
    try:
        send_customer_message(dashboard, token, sender=sender, text="Please cancel my appointment")

        # The low score arrives on the open page, with what produced it and why the turn was scored.
        unbacked = page.locator(f"#conversation-scores {UNBACKED}")
        await unbacked.wait_for(timeout=60_000)
        assert await unbacked.locator(".score-label").inner_text() == "unbacked_cancellation"
        assert await unbacked.locator(".score-value").inner_text() == "0.00"
        assert await unbacked.locator(".score-trigger").inner_text() == "sampled"
        assert "rule v1" in await unbacked.inner_text()
        assert "cancel_booking did not succeed" in await unbacked.locator(".score-reason").inner_text()
        run_href = await unbacked.locator("a").get_attribute("href")
        low = page.locator(".conversation-run .run-low-score")
        assert await low.all_inner_texts() == ["backed_claims 0.00"]

        # The run's own page: the reply that over-promised and the same verdict.
        await unbacked.locator("a").click()
        await page.wait_for_url("**/runs/**")
        await page.locator("#run-reply-text", has_text="Done, your booking is cancelled.").wait_for()
        on_run = page.locator(f"#run-scores {UNBACKED}")
        await on_run.wait_for()
        assert await on_run.locator(".score-label").inner_text() == "unbacked_cancellation"
        assert await page.locator('#run-scores .score-row[data-evaluator="reply_length"]').count() == 1

        # Agent runs, filtered to the turns backed_claims failed: this run is among them, and only such runs.
        await page.goto(f"{dashboard.url}/runs")
        await page.locator("#run-table .run-row").first.wait_for()
        await choose(page, "run-filter-evaluator", "backed_claims")
        await choose(page, "run-filter-verdict", "Failed only")
        run_id = unquote(run_href.rsplit("/", 1)[-1])
        await page.locator(f'#run-table .run-row[data-run-id="{run_id}"]').wait_for()
        for scores in await page.locator("#run-table .run-scores").all_inner_texts():
            assert "backed_claims 0.00 unbacked_cancellation" in scores

        # The quality SLO pages; its incident links this conversation, and from there: make golden.
        await page.goto(f"{dashboard.url}/incidents")
        # The SLO watch needs the regression to go on, as it would with real customers: its windows are
        # short in tests (18 s and 1.5 s; 108 s and 9 s) and the other tests' good turns in them outweigh one
        # bad turn. So the customer keeps asking while the drill runs.
        incident = page.locator("#incident-list .incident-row", has_text="no_unbacked_claims").first
        await _keep_asking_until(incident, dashboard=dashboard, token=token, sender=sender, timeout=180)
        await incident.locator("a").first.click()
        await page.wait_for_url("**/incidents/**")
        example = page.locator(".incident-example", has_text=sender)
        await example.wait_for()
        await example.locator("a").click()
        await page.wait_for_url("**/conversations/**")
        await page.locator(f"#conversation-scores {UNBACKED}").first.wait_for()
        # A typed error says what is wrong (here from the form that names its own suite), never a trace.
        await page.fill("#golden-suite", "Not a suite")
        await page.click("#make-golden")
        await page.locator("#action-error", has_text="suite: must be lower-case letters").wait_for()
        await page.click("#make-golden-from-score")
        made = page.locator("#golden-made")
        await made.wait_for()
        assert "suite from-production" in await made.inner_text()
        assert "backed_claims" in await made.inner_text()
    finally:
        data(dashboard, token, STOP_DRILL, {"id": started["simulation"]["id"]})

    # Metrics: once the minute is rolled up (the workers' cron, each minute), the quality panel shows it live.
    await page.goto(f"{dashboard.url}/metrics")
    panel = page.locator('.quality-panel[data-evaluator="backed_claims"]')
    await panel.wait_for()
    assert await panel.locator(".slo-card", has_text="no_unbacked_claims").count() == 1
    await page.wait_for_function(
        "() => { const n = document.querySelector("
        "'.quality-panel[data-evaluator=\"backed_claims\"] .quality-scored'); "
        "return n && Number(n.textContent.replace(/,/g, '')) >= 2; }",
        timeout=120_000,
    )
    assert await panel.locator(".metric-chart", has_text="no data in this window").count() == 0


async def test_the_live_feed_hands_each_scored_run_to_the_pages_with_its_scores(
    dashboard, dashboard_users, live_api
):
    """The `scored` kind the run and conversation pages ask for: the dashboard's own subscription document,
    against the real API and workers (the browser test above sees its effect on a conversation's page)."""
    token = session_token(dashboard, dashboard_users["operator"])
    feed = LiveFeed(websocket_url="ws" + live_api.removeprefix("http") + "/graphql", api_key=token)
    delivered: list[tuple[frozenset[str], str, dict]] = []

    async def deliver(sessions: frozenset[str], kind: str, payload: dict) -> None:
        delivered.append((sessions, kind, payload))

    feed.attach(deliver, connected=lambda: {"tab"})
    feed.watch("tab", "scored")
    try:
        deadline = time.monotonic() + 20
        while feed.status()["subscriptions"] != 1:
            assert time.monotonic() < deadline, "the scored subscription never opened"
            await asyncio.sleep(0.05)
        marker = f"egret{uuid.uuid4().hex[:8]}"
        send_customer_message(dashboard, token, sender=new_sender(), text=f"Where are you located? {marker}")
        (conversation,) = await conversations_with_text(dashboard, token, marker, count=1)

        def ours() -> list[dict]:
            return [p for _, _, p in delivered if p["conversation"]["id"] == conversation["id"]]

        deadline = time.monotonic() + 30
        while not ours():
            assert time.monotonic() < deadline, "no scored update for the conversation"
            await asyncio.sleep(0.1)
        (payload,) = ours()
        assert {(sessions, kind) for sessions, kind, _ in delivered} == {(frozenset({"tab"}), "scored")}
        verdicts = {score["evaluator"]: (score["label"], score["skipped"]) for score in payload["scores"]}
        assert verdicts["backed_claims"] == ("no_claim", False)
        assert {"guardrail_clean", "reply_length"} <= verdicts.keys()
    finally:
        await feed.close()
