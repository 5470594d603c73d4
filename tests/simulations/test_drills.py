"""Drills on the real stack: a TOOL_OUTAGE under synthetic traffic pages once, is worked, and resolves after
it.

API, four SAQ workers, PostgreSQL, Redis and a loopback receiver for Slack/PagerDuty; SLO windows are 200x
shorter (conftest), so "burning 14.4x over 1 h and 5 min" plays out in seconds.
"""

import asyncio
import json

from backend.core.scopes import Scope
from backend.core.signatures import event_signature
from backend.incidents.models import Incident, IncidentNotification, IncidentStatus, NotificationStatus
from backend.simulations.models import Simulation, SimulationStatus
from tests.agent.helpers import open_business
from tests.conftest import NOTIFY_SECRET
from tests.helpers import graphql, subscribe, wait_until

START = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
  ... on SimulationPayload { simulation { id kind status tool endsAt } }
  ... on ValidationError { field message } } }"""
ACK = """mutation($id: ID!) { acknowledgeIncident(input: {id: $id}) { __typename
  ... on IncidentPayload { incident { status acknowledgedBy acknowledgedAt } } } }"""
DETAIL = """query($id: ID!) { node(id: $id) { ... on Incident { status timeline { kind actor }
  notifications { target action status responseStatus }
  exampleConversations { id } metrics { name points { value } } } } }"""
SIMULATION = (
    "{ simulations(first: 1) { edges { node { status effects { failedTurns turns toolErrors "
    "eventsSent incidentsOpened } } } } }"
)


async def test_a_tool_outage_under_traffic_pages_once_is_acknowledged_and_resolves_after(
    app, client, make_key, live_api, workers, fake_provider
):
    fake_provider.notifications.clear()
    await open_business()  # the synthetic customers ask for bookings: the agent checks availability
    key = await make_key(Scope.READ, Scope.OPERATE, name="on-call Ada")
    alerts = await subscribe(live_api, key, "subscription { incidentAlerts { id slo severity status } }")
    await asyncio.sleep(0.3)

    started = (
        await graphql(
            client,
            START,
            key=key,
            variables={
                "input": {
                    "kind": "TOOL_OUTAGE",
                    "durationSeconds": 10,
                    "intensity": 1.0,
                    "trafficPerSecond": 10,
                }
            },
        )
    ).json()
    simulation = started["data"]["startSimulation"]["simulation"]
    assert simulation["status"] == "RUNNING" and simulation["tool"] == "check_availability"

    # The fast burn-rate alert opens one page incident; a live subscriber hears of it.
    page = await wait_until(
        lambda: Incident.filter(slo="turn_success", severity="page").first(),
        timeout=60,
        message="a page incident for turn_success",
    )
    heard = []
    while not any(alert["severity"] == "page" for alert in heard):
        message = json.loads(await asyncio.wait_for(alerts.recv(), timeout=15))
        heard.append(message["payload"]["data"]["incidentAlerts"])
    await alerts.close()
    page_alert = next(alert for alert in heard if alert["severity"] == "page")
    assert page_alert["slo"] == "turn_success" and page_alert["status"] == "OPEN"

    acked = (await graphql(client, ACK, key=key, variables={"id": page_alert["id"]})).json()
    incident = acked["data"]["acknowledgeIncident"]["incident"]
    assert incident["status"] == "ACKNOWLEDGED" and incident["acknowledgedBy"] == "on-call Ada"
    assert incident["acknowledgedAt"]

    # The drill ends by itself; once the burn stops the incident resolves and the resolve goes out.
    await wait_until(
        lambda: Simulation.exists(status=SimulationStatus.FINISHED), timeout=60, message="the drill's end"
    )
    await wait_until(
        lambda: Incident.exists(id=page.id, status=IncidentStatus.RESOLVED),
        timeout=60,
        message="the incident resolving",
    )
    await wait_until(
        lambda: IncidentNotification.exists(
            incident_id=page.id, target="pagerduty", action="resolve", status=NotificationStatus.SENT
        ),
        timeout=30,
        message="the PagerDuty resolve",
    )
    assert await Incident.filter(slo="turn_success", severity="page").count() == 1  # exactly one, no flapping

    paged = [n for n in fake_provider.notifications if n["target"] == "pagerduty"]
    assert [n["body"]["event_action"] for n in paged] == ["trigger", "acknowledge", "resolve"]
    assert {n["body"]["dedup_key"] for n in paged} == {f"agentops-incident-{page.id}"}
    trigger = paged[0]["body"]
    assert trigger["routing_key"] == "test-routing-key" and trigger["payload"]["severity"] == "critical"
    assert trigger["payload"]["component"] == "turn_success" and trigger["payload"]["summary"]
    for sent in paged:  # signed like our inbound webhooks: the receiver can check origin and freshness
        headers = sent["headers"]
        assert headers["x-agentops-signature"] == event_signature(
            secret=NOTIFY_SECRET, timestamp=headers["x-agentops-timestamp"], body=sent["raw"]
        )
    slack = [n["body"] for n in fake_provider.notifications if n["target"] == "slack"]
    assert any("Incident opened" in body["text"] and "turn_success" in body["text"] for body in slack)

    detail = (await graphql(client, DETAIL, key=key, variables={"id": page_alert["id"]})).json()["data"][
        "node"
    ]
    assert [entry["kind"] for entry in detail["timeline"]][:2] == ["opened", "acknowledged"]
    assert detail["timeline"][-1]["kind"] == "resolved" and detail["timeline"][-1]["actor"] is None
    assert {
        (n["target"], n["action"], n["status"], n["responseStatus"]) for n in detail["notifications"]
    } >= {
        ("pagerduty", "trigger", "SENT", 202),
        ("pagerduty", "acknowledge", "SENT", 202),
        ("pagerduty", "resolve", "SENT", 202),
    }
    assert detail["exampleConversations"], "the incident links conversations whose turns failed"

    effects = (await graphql(client, SIMULATION, key=key)).json()["data"]["simulations"]["edges"][0]["node"][
        "effects"
    ]
    assert effects["eventsSent"] >= 50 and effects["turns"] >= 50
    assert effects["failedTurns"] / effects["turns"] > 0.8 and effects["toolErrors"] >= effects["failedTurns"]
    assert page_alert["id"] in effects["incidentsOpened"]


async def test_a_drill_is_refused_with_a_typed_error_and_changes_nothing(app, client, make_key):
    key = await make_key(Scope.OPERATE)
    for bad, field in [
        ({"durationSeconds": 0}, "durationSeconds"),
        ({"intensity": 1.5}, "intensity"),
        ({"tool": "launch_rockets"}, "tool"),
        ({"trafficPerSecond": 500}, "trafficPerSecond"),
    ]:
        answer = (
            await graphql(
                client,
                START,
                key=key,
                variables={"input": {"kind": "TOOL_OUTAGE", "durationSeconds": 5, **bad}},
            )
        ).json()["data"]["startSimulation"]
        assert answer["__typename"] == "ValidationError" and answer["field"] == field
    assert await Simulation.all().count() == 0
    reader = await make_key(Scope.READ)
    refused = (
        await graphql(
            client, START, key=reader, variables={"input": {"kind": "POLICY_ERROR", "durationSeconds": 5}}
        )
    ).json()
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_stopping_a_drill_lifts_its_fault_at_once(app, client, make_key):
    key = await make_key(Scope.OPERATE, Scope.READ)
    started = (
        await graphql(
            client, START, key=key, variables={"input": {"kind": "POLICY_ERROR", "durationSeconds": 600}}
        )
    ).json()["data"]["startSimulation"]["simulation"]
    from backend.core.faults import POLICY, load_faults

    redis = app.state.services.redis
    assert (await load_faults(redis)).points == [POLICY]
    again = (
        await graphql(
            client, START, key=key, variables={"input": {"kind": "POLICY_ERROR", "durationSeconds": 5}}
        )
    ).json()
    assert again["data"]["startSimulation"]["field"] == "kind"  # one drill of a kind at a time
    stop = """mutation($id: ID!) { stopSimulation(input: {id: $id}) { ... on SimulationPayload {
      simulation { status endedAt effects { turns } } } } }"""
    stopped = (await graphql(client, stop, key=key, variables={"id": started["id"]})).json()["data"][
        "stopSimulation"
    ]
    assert stopped["simulation"]["status"] == "STOPPED" and stopped["simulation"]["endedAt"]
    assert stopped["simulation"]["effects"]["turns"] == 0
    assert (await load_faults(redis)).points == []
