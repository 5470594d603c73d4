"""Operations pages in a real browser: Run evals with live progress, incidents worked everywhere at once,
dead letters replayed, and viewers who can see but not act.

Set-up goes through the API and the CLI only: these tests share the session's API, workers and dashboard, so
they never empty tables (the `app` fixture would).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import redis.asyncio as aioredis

from backend.core.faults import PROCESS_EVENT, clear_fault, set_fault
from frontend.ids import node_id
from tests.dashboard.api_calls import call, data, session_token
from tests.dashboard.conftest import DashboardUser, log_in
from tests.dashboard.driving import choose

RESEED_DEMO = "mutation { reseedDemo { eventsAccepted } }"
START_DRILL = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
  ... on SimulationPayload { simulation { id } } ... on ValidationError { message } } }"""
STOP_DRILL = "mutation($id: ID!) { stopSimulation(input: {id: $id}) { __typename } }"
START_EVAL_RUN = """mutation { startEvalRun(input: {suite: "booking"}) { __typename
  ... on StartEvalRunPayload { evalRun { id } } } }"""
INGEST_EVENT = """mutation($input: IngestEventInput!) { ingestEvent(input: $input) { __typename
  ... on EventAccepted { eventId } } }"""
EVENT_STATUS = "query($id: ID!) { node(id: $id) { ... on IngestEvent { status } } }"
DEAD_LETTERS = "{ deadLetters(first: 50, filter: {replayed: false}) { edges { node { id event { id } } } } }"
QUEUE_DEPTH = "{ currentMetrics { queueDepth } }"
INCIDENT_STATUS = "query($id: ID!) { node(id: $id) { ... on Incident { status acknowledgedBy } } }"
REFUSED_TO_VIEWERS = {
    "startEvalRun": 'mutation { startEvalRun(input: {suite: "booking"}) { __typename } }',
    "acknowledgeIncident": "mutation { acknowledgeIncident(input: {id: "
    '"SW5jaWRlbnQ6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"}) { __typename } }',
    "replayDeadLetters": "mutation { replayDeadLetters(input: {}) { replayed } }",
    "startSimulation": "mutation { startSimulation(input: {kind: POLICY_ERROR, durationSeconds: 5}) { "
    "__typename } }",
    "reseedDemo": RESEED_DEMO,
}


@pytest.fixture(scope="module")
def demo_data(dashboard, dashboard_users) -> None:
    """The demo as `make up` leaves it: a business to book, golden suites, eval runs, a week of history."""
    admin = session_token(dashboard, dashboard_users["admin"])
    data(dashboard, admin, RESEED_DEMO, timeout=300)


@pytest.fixture(scope="module")
def operator(dashboard_users) -> DashboardUser:
    """This module's operator (dashboard_users are per module: logins are limited per e-mail per minute)."""
    return dashboard_users["operator"]


@pytest.fixture(scope="module")
def operator_token(dashboard, operator) -> str:
    return session_token(dashboard, operator)


PROGRESS_SHOWN = """() => {
  window.progressShown = new Set();
  const note = () => document.querySelectorAll('#eval-runs .eval-run-row').forEach(row => {
    if (row.querySelector('.eval-progress')) window.progressShown.add(row.dataset.runId);
  });
  new MutationObserver(note).observe(
    document.body, {subtree: true, childList: true, attributes: true, characterData: true});
  note();
}"""


async def _wait(predicate, *, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := predicate():
            return found
        await asyncio.sleep(0.3)
    raise AssertionError(f"timed out waiting for {message}")


async def test_run_evals_shows_progress_and_ends_with_a_pass_rate(
    dashboard, operator, demo_data, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/evals")
    await page.locator("#eval-runs .eval-run-row").first.wait_for()
    runs_before = await page.locator("#eval-runs .eval-run-row").count()
    subscriptions_before = dashboard.live_feed_status()["subscriptions"]
    # A quiet machine plays the suite in well under a second: which runs ever showed a progress bar is
    # recorded as the page changes, not sampled after the fact.
    await page.evaluate(PROGRESS_SHOWN)

    await page.click("#run-evals")  # the booking suite, first by name
    new_run = page.locator("#eval-runs .eval-run-row").first
    await page.wait_for_function(
        f"document.querySelectorAll('#eval-runs .eval-run-row').length > {runs_before}"
    )
    run_id = await new_run.get_attribute("data-run-id")
    run = page.locator(f'#eval-runs .eval-run-row[data-run-id="{run_id}"]')
    # A progress bar while the workers run it.
    await page.wait_for_function("id => window.progressShown.has(id)", arg=run_id, timeout=10_000)
    assert "booking" in await run.inner_text()

    pass_rate = run.locator(".eval-pass-rate")
    await pass_rate.wait_for(timeout=120_000)
    assert (await pass_rate.inner_text()).endswith("%")
    assert "COMPLETED" in await run.inner_text()
    # The run's subscription ended with it: the feed holds what it held before.
    await _wait(
        lambda: dashboard.live_feed_status()["subscriptions"] == subscriptions_before,
        timeout=10,
        message="the eval run's subscription closing",
    )

    await run.locator("a").click()  # the run page: every case, failures first
    await page.locator("#eval-cases .eval-case").first.wait_for()
    assert await page.locator("#eval-cases .eval-case").count() >= 20
    assert "%" in await page.locator("#run-pass-rate").inner_text()


async def test_acknowledging_an_incident_opened_by_a_drill_changes_it_everywhere(
    dashboard, operator, operator_token, demo_data, browser_context
):
    token = operator_token
    watching = await browser_context.new_page()  # a second tab, left on the list
    await log_in(watching, dashboard, operator)
    await watching.goto(f"{dashboard.url}/incidents")
    await watching.wait_for_selector("#incident-status-filter")
    working = await browser_context.new_page()  # the tab that will act, on another page (logged in already)
    await working.goto(f"{dashboard.url}/metrics")
    await working.wait_for_selector("#metrics-window")

    started = data(
        dashboard,
        token,
        START_DRILL,
        {"input": {"kind": "TOOL_OUTAGE", "durationSeconds": 120, "intensity": 1.0, "trafficPerSecond": 10}},
    )
    drill_id = started["startSimulation"]["simulation"]["id"]
    try:
        # The toast comes to whatever page is open; the list gains the row, both without a reload.
        top_toast = working.locator(".incident-toast").first
        await top_toast.wait_for(timeout=60_000)
        incident_id = await top_toast.get_attribute("data-incident-id")
        # This incident's toast from now on: a drill opens a page and a ticket incident moments apart, and a
        # bare `.first` would be whichever toast is on top when it is next used (it opened the other one).
        toast = working.locator(f'.incident-toast[data-incident-id="{incident_id}"]')
        row = watching.locator(f'#incident-list .incident-row[data-incident-id="{incident_id}"]')
        await row.wait_for(timeout=10_000)
        assert "OPEN" in await row.locator(".incident-status").inner_text()

        await toast.get_by_role("button", name="Open").click()
        await working.wait_for_url("**/incidents/*")
        await working.locator("#incident-timeline .timeline-entry").first.wait_for()
        await working.click("#incident-acknowledge")
        await working.locator("#incident-detail-status", has_text="ACKNOWLEDGED").wait_for()
        await working.locator("#incident-timeline .timeline-entry", has_text="acknowledged").wait_for()

        # Everywhere: the other tab's list, this tab's list, and the API.
        await row.locator(".incident-status", has_text="ACKNOWLEDGED").wait_for(timeout=10_000)
        await working.click("text=← All incidents")
        mine = working.locator(f'#incident-list .incident-row[data-incident-id="{incident_id}"]')
        await mine.locator(".incident-status", has_text="ACKNOWLEDGED").wait_for()
        incident = data(dashboard, token, INCIDENT_STATUS, {"id": incident_id})["node"]
        assert incident["status"] == "ACKNOWLEDGED" and operator.email in incident["acknowledgedBy"]
    finally:
        data(dashboard, token, STOP_DRILL, {"id": drill_id})


async def test_a_dead_letter_appears_live_and_its_replay_is_seen_through(
    dashboard, operator, operator_token, test_settings, browser_context
):
    token = operator_token
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/dead-letters")
    await choose(page, "dead-letters-replayed", "Any")  # a replayed letter stays in the list
    await page.locator("#dead-letters-replayed", has_text="Any").wait_for()
    await page.evaluate("window.__same_page = true")

    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    sender = f"+1555{uuid.uuid4().int % 10**7:07d}"
    # An earlier drill's traffic must not be caught by the fault: wait for the queue to drain first.
    await _wait(
        lambda: data(dashboard, token, QUEUE_DEPTH)["currentMetrics"]["queueDepth"] == 0,
        timeout=60,
        message="the queue draining",
    )
    # Every processing attempt fails, as when a dependency is down, until this event is dead.
    await set_fault(redis, PROCESS_EVENT, message="calendar backend down")
    try:
        event = {
            "channel": "SMS",
            "idempotencyKey": f"dead-{uuid.uuid4()}",
            "sender": sender,
            "text": "Can I book a massage on Friday?",
            "occurredAt": datetime.now(UTC).isoformat(),
        }
        event_id = data(dashboard, token, INGEST_EVENT, {"input": event})["ingestEvent"]["eventId"]
        await _wait(
            lambda: data(dashboard, token, EVENT_STATUS, {"id": event_id})["node"]["status"] == "DEAD",
            timeout=30,
            message="the event going DEAD",
        )
    finally:
        await clear_fault(redis, PROCESS_EVENT)
        await redis.aclose()
    letter_id = next(
        edge["node"]["id"]
        for edge in data(dashboard, token, DEAD_LETTERS)["deadLetters"]["edges"]
        if edge["node"]["event"]["id"] == event_id
    )

    # The open page shows the new dead letter by itself ...
    row = page.locator(f'#dead-letter-list .dead-letter-row[data-dead-letter-id="{letter_id}"]')
    await row.wait_for(timeout=15_000)
    assert "calendar backend down" in await row.inner_text() and sender in await row.inner_text()
    assert "DEAD" in await row.locator(".event-status").inner_text()

    # ... and, once replayed, the event being processed.
    await row.locator(".replay-one").click()
    await page.locator("#dead-letters-message", has_text="Replayed").wait_for()
    await row.locator(".event-status", has_text="PROCESSED").wait_for(timeout=30_000)
    assert data(dashboard, token, EVENT_STATUS, {"id": event_id})["node"]["status"] == "PROCESSED"
    assert await page.evaluate("window.__same_page === true"), "the page was reloaded"


async def test_a_drill_started_from_the_api_appears_on_the_drills_page_and_ends_there(
    dashboard, operator, operator_token, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/demo")
    await page.locator("#drill-list").wait_for(state="attached")
    await page.evaluate("window.__same_page = true")

    # A gentle drill (policy steps 50 ms slower for three seconds), started by a script, not by this page.
    started = data(
        dashboard,
        operator_token,
        START_DRILL,
        {"input": {"kind": "LATENCY_SPIKE", "durationSeconds": 3, "intensity": 0.01}},
    )
    drill_id = started["startSimulation"]["simulation"]["id"]
    row = page.locator(f'#drill-list .drill-row[data-drill-id="{drill_id}"]')
    await row.locator(".drill-status", has_text="RUNNING").wait_for(timeout=10_000)
    assert "LATENCY_SPIKE" in await row.inner_text()
    # A worker ends it on time; the row says so, with what it caused.
    await row.locator(".drill-status", has_text="FINISHED").wait_for(timeout=30_000)
    assert "turns" in await row.inner_text()
    assert await page.evaluate("window.__same_page === true"), "the page was reloaded"


async def test_an_eval_runs_page_fills_in_as_its_cases_complete(
    dashboard, operator, operator_token, demo_data, browser_context
):
    started = data(dashboard, operator_token, START_EVAL_RUN)["startEvalRun"]
    assert started["__typename"] == "StartEvalRunPayload", started
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/evals/run/{node_id(started['evalRun']['id'])}")
    await page.locator("#run-status").wait_for()
    await page.evaluate("window.__same_page = true")

    await page.locator("#run-status", has_text="COMPLETED").wait_for(timeout=120_000)
    await page.wait_for_function("document.querySelectorAll('#eval-cases .eval-case').length >= 20")
    assert "%" in await page.locator("#run-pass-rate").inner_text()
    assert await page.evaluate("window.__same_page === true"), "the page was reloaded"


async def test_the_metrics_page_shows_the_live_values_as_they_come(dashboard, operator, browser_context):
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)
    await page.goto(f"{dashboard.url}/metrics")
    live = page.locator("#metrics-live")
    await live.wait_for(timeout=15_000)
    first = await live.inner_text()
    # liveMetrics is pushed every second here: the time of the values moves on without a reload.
    await page.wait_for_function(
        f"document.querySelector('#metrics-live').innerText !== {json.dumps(first)}", timeout=15_000
    )
    assert "Turns/min" in await live.inner_text()


async def test_a_viewer_sees_no_operations_actions_and_the_api_refuses_them(
    dashboard, dashboard_users, demo_data, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])
    for path, shown, hidden in (
        ("/evals", "#eval-runs .eval-run-row", ["#run-evals"]),
        ("/dead-letters", "#dead-letters-replayed", ["#replay-matching", ".replay-one"]),
        ("/demo", "#drill-list", ["#drill-start", "#reseed-demo", ".drill-stop"]),
        ("/incidents", "#incident-list .incident-row", []),
    ):
        await page.goto(f"{dashboard.url}{path}")
        await page.locator(shown).first.wait_for(state="attached")
        for selector in hidden:
            assert await page.locator(selector).count() == 0, f"{selector} shown to a viewer on {path}"
    await page.locator("#incident-list .incident-row a").first.click()
    await page.locator("#incident-timeline .timeline-entry").first.wait_for()
    assert await page.locator("#incident-actions").count() == 0

    viewer = session_token(dashboard, dashboard_users["viewer"])
    for name, document in REFUSED_TO_VIEWERS.items():
        refused = call(dashboard, viewer, document)
        assert refused.status_code == 403, name
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", name


FIRST_CONVERSATION = """query($synthetic: Boolean!) {
  conversations(first: 1, filter: {synthetic: $synthetic}) {
    edges { node { id customer runs(first: 1) { id } } } } }"""
SYNTHETIC_FLAG = """query($id: ID!) {
  node(id: $id) { ... on Conversation { synthetic } ... on Incident { synthetic } } }"""
# Only the backdated week's customers wrote exactly this (the live demo asks about Saturday's hours).
HISTORY_TEXT = "opening hours?"


async def _badges(page, rows: str, attribute: str) -> dict[str, bool]:
    """Each row's id and whether it shows the synthetic badge."""
    return await page.locator(rows).evaluate_all(
        f"rows => Object.fromEntries(rows.map(row => [row.dataset.{attribute}, "
        "!!row.querySelector('.synthetic-badge')]))"
    )


def _flags(dashboard, token: str, ids) -> dict[str, bool]:
    return {
        node_id: data(dashboard, token, SYNTHETIC_FLAG, {"id": node_id})["node"]["synthetic"]
        for node_id in ids
    }


async def test_the_demo_history_wears_a_synthetic_badge_and_real_traffic_does_not(
    dashboard, operator, operator_token, demo_data, browser_context
):
    token = operator_token
    history = data(dashboard, token, FIRST_CONVERSATION, {"synthetic": True})["conversations"]["edges"][0][
        "node"
    ]
    real = data(dashboard, token, FIRST_CONVERSATION, {"synthetic": False})["conversations"]["edges"][0][
        "node"
    ]
    page = await browser_context.new_page()
    await log_in(page, dashboard, operator)

    # A conversation of the backdated week and one of its runs, each with the badge; a conversation that came
    # in through the ingest path without it.
    await page.goto(f"{dashboard.url}/conversations/{quote(history['id'], safe='')}")
    await page.locator("#conversation-customer", has_text=history["customer"]).wait_for()
    await page.locator(".synthetic-badge").first.wait_for()
    await page.goto(f"{dashboard.url}/runs/{quote(history['runs'][0]['id'], safe='')}")
    await page.locator("#run-status").wait_for()
    await page.locator(".synthetic-badge").first.wait_for()
    await page.goto(f"{dashboard.url}/conversations/{quote(real['id'], safe='')}")
    await page.locator("#conversation-customer", has_text=real["customer"]).wait_for()  # not the last one's
    assert await page.locator(".synthetic-badge").count() == 0

    # In the lists, the badge is on exactly the rows the API calls synthetic: the newest (real traffic) ...
    rows = "#conversation-table .conversation-row"
    await page.goto(f"{dashboard.url}/conversations")
    await page.locator(rows).first.wait_for()
    newest = await _badges(page, rows, "conversationId")
    assert newest == _flags(dashboard, token, newest) and False in newest.values()
    # ... and the week's, found by what its customers wrote.
    await page.fill("#filter-text", HISTORY_TEXT)
    await page.click("#filter-text-submit")
    await page.wait_for_function(
        f"[...document.querySelectorAll('{rows}')].every(row => row.querySelector("
        f"'.synthetic-badge')) && document.querySelectorAll('{rows}').length > 0"
    )
    week = await _badges(page, rows, "conversationId")
    assert week == _flags(dashboard, token, week) and set(week.values()) == {True}

    await page.goto(f"{dashboard.url}/incidents")
    await page.locator("#incident-list .incident-row").first.wait_for()
    incidents = await _badges(page, "#incident-list .incident-row", "incidentId")
    assert True in incidents.values() and incidents == _flags(dashboard, token, incidents)

    # The charts of the last 24 hours reach back into the week: the page says those points are synthetic.
    await page.goto(f"{dashboard.url}/metrics")
    note = page.locator("#metrics-synthetic-note")
    await note.wait_for()
    assert "synthetic history" in await note.inner_text()
