"""Online evaluation on the real stack: a live turn over-promises under a drill, is scored so by a worker, the
score reaches the metric, and the quality SLO pages with that conversation linked.

Four `agentops worker` processes (the suite scores every turn: AGENTOPS_QUALITY_SAMPLE_RATE=1 in conftest),
the API in this process, PostgreSQL and Redis; SLO windows are 200x shorter (conftest), so a page plays out in
seconds.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from strawberry.relay import GlobalID

from backend.core.scopes import Scope
from backend.incidents.models import Incident
from backend.observability.rollup import rollup_metrics
from backend.quality.models import EvalScore
from tests.agent.helpers import open_business, replies_to, say
from tests.helpers import graphql, next_payload, subscribe, wait_until

START = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
  ... on SimulationPayload { simulation { id kind promptVersion tool } }
  ... on ValidationError { field message } } }"""
STOP = """mutation($id: ID!) { stopSimulation(input: {id: $id}) { __typename
  ... on SimulationPayload { simulation { status effects { scoredTurns lowScoredTurns } } } } }"""
SCORES = """query($filter: RunScoreFilter) { runScores(first: 10, filter: $filter) { edges { node {
  evaluator version kind score passed label reason trigger skipped
  run { promptVersion scores(evaluator: "backed_claims") { label } }
  conversation { id customer scores { evaluator label } } } } } }"""
INCIDENT = """query($id: ID!) { node(id: $id) { ... on Incident { slo severity
  exampleConversations { id customer } metrics { name points { value } } } } }"""
METRIC = """query($from: DateTime!) { metrics(names: ["quality:backed_claims",
        "quality_scored:backed_claims"],
  from: $from) { name points { at value } } }"""
CUSTOMER = "+15557710001"


async def test_an_unbacked_cancellation_is_scored_online_reaches_the_metric_and_pages_with_its_conversation(
    app, client, make_key, workers, fake_provider
):
    await open_business()
    key = await make_key(Scope.INGEST, Scope.READ, Scope.OPERATE)
    started = (
        await graphql(
            client,
            START,
            key=key,
            variables={"input": {"kind": "PROMPT_REGRESSION", "durationSeconds": 60, "intensity": 1.0}},
        )
    ).json()["data"]["startSimulation"]
    assert started["__typename"] == "SimulationPayload", started
    assert started["simulation"]["promptVersion"] == "over-promise" and started["simulation"]["tool"] is None

    # A customer with no booking asks to cancel: the over-promising prompt says it is done; no tool cancelled
    # it.
    await say(client, key, sender=CUSTOMER, text="Please cancel my appointment")
    (reply,) = await replies_to(CUSTOMER, count=1)
    assert reply == "Done, your booking is cancelled."

    score = await wait_until(
        lambda: EvalScore.get_or_none(conversation__customer=CUSTOMER, evaluator="backed_claims"),
        timeout=30,
        message="the worker's backed_claims score",
    )
    assert (score.score, score.passed, score.label, score.trigger.value) == (
        0.0,
        False,
        "unbacked_cancellation",
        "SAMPLE",
    )
    assert "cancel_booking did not succeed" in score.reason

    listed = (
        await graphql(
            client, SCORES, key=key, variables={"filter": {"evaluator": "backed_claims", "passed": False}}
        )
    ).json()
    (edge,) = listed["data"]["runScores"]["edges"]
    node = edge["node"]
    assert (node["version"], node["kind"], node["label"], node["skipped"]) == (
        "v1",
        "rule",
        "unbacked_cancellation",
        False,
    )
    assert node["run"]["promptVersion"] == "over-promise"  # the run says which prompt answered
    assert node["run"]["scores"] == [{"label": "unbacked_cancellation"}]
    assert node["conversation"]["customer"] == CUSTOMER
    assert {(s["evaluator"], s["label"]) for s in node["conversation"]["scores"]} >= {
        ("backed_claims", "unbacked_cancellation"),
        ("guardrail_clean", "clean"),
        ("reply_length", "within_limit"),
    }

    # The quality SLO burns (every scored turn in its windows made an unbacked claim) and pages, linking the
    # thread.
    incident = await wait_until(
        lambda: Incident.filter(slo="no_unbacked_claims", severity="page").first(),
        timeout=30,
        message="a page incident for no_unbacked_claims",
    )
    detail = (
        await graphql(
            client, INCIDENT, key=key, variables={"id": str(GlobalID("Incident", str(incident.id)))}
        )
    ).json()
    found = detail["data"]["node"]
    assert CUSTOMER in [conversation["customer"] for conversation in found["exampleConversations"]]
    assert [series["name"] for series in found["metrics"]] == [
        "quality:backed_claims",
        "quality_scored:backed_claims",
    ]

    # The minute's rollup (the workers' cron runs it each minute; here at once) writes the quality point.
    await rollup_metrics(now=datetime.now(UTC) + timedelta(minutes=1))
    series = (
        await graphql(
            client,
            METRIC,
            key=key,
            variables={"from": (datetime.now(UTC) - timedelta(minutes=5)).isoformat()},
        )
    ).json()["data"]["metrics"]
    values = {item["name"]: [point["value"] for point in item["points"]] for item in series}
    assert values["quality:backed_claims"] == [0.0] and values["quality_scored:backed_claims"] == [1.0]

    stopped = (await graphql(client, STOP, key=key, variables={"id": started["simulation"]["id"]})).json()
    effects = stopped["data"]["stopSimulation"]["simulation"]["effects"]
    assert effects["scoredTurns"] == 1 and effects["lowScoredTurns"] == 1


async def test_without_the_drill_the_same_request_is_answered_truthfully_scored_clean_and_announced(
    app, client, make_key, live_api, workers, fake_provider
):
    await open_business()
    key = await make_key(Scope.INGEST, Scope.READ)
    socket = await subscribe(
        live_api,
        key,
        "subscription { runScored { promptVersion conversation { customer } scores { evaluator label } } }",
    )
    await asyncio.sleep(0.3)

    await say(client, key, sender=CUSTOMER, text="Please cancel my appointment")
    (reply,) = await replies_to(CUSTOMER, count=1)
    assert "nothing was cancelled" in reply
    score = await wait_until(
        lambda: EvalScore.get_or_none(conversation__customer=CUSTOMER, evaluator="backed_claims"),
        timeout=30,
        message="the worker's backed_claims score",
    )
    assert (score.score, score.label) == (1.0, "no_claim")
    # A live view hears of the scores once they are stored, and reads them fresh.
    scored = (await next_payload(socket, timeout=15))["data"]["runScored"]
    await socket.close()
    assert scored["conversation"]["customer"] == CUSTOMER and scored["promptVersion"] == "v1"
    assert ("backed_claims", "no_claim") in {(item["evaluator"], item["label"]) for item in scored["scores"]}
    assert not await Incident.filter(slo="no_unbacked_claims").exists()
