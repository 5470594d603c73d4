"""A fast burn opens exactly one incident, subscribers hear of it, acknowledging records who, it resolves
itself."""

import asyncio
from datetime import timedelta

from backend.core.scopes import Scope
from backend.incidents.models import Incident, IncidentEntry, IncidentStatus
from backend.incidents.service import sync_incidents
from backend.observability.slo import evaluate_slos, load_slos
from tests.helpers import graphql, next_payload, subscribe
from tests.observability.helpers import NOW, backdated_runs

ACK = """mutation($id: ID!) { acknowledgeIncident(input: {id: $id}) { __typename
  ... on IncidentPayload { incident { status acknowledgedBy acknowledgedAt timeline { kind actor } } } } }"""
# SLOs of their own: the suite's live workers watch infra/slo.yaml's SLOs at the real time and would resolve
# an incident of those that this test opened from runs backdated to NOW.
SPEC = load_slos()
SPEC = SPEC.model_copy(
    update={"slos": [slo.model_copy(update={"name": f"{slo.name}_replayed"}) for slo in SPEC.slos]}
)
LIST = "{ incidents(first: 5) { edges { node { id slo severity status summary } } } }"


async def test_a_burn_opens_one_incident_that_is_acknowledged_and_resolves_when_it_stops(
    app, client, make_key, live_api
):
    key = await make_key(Scope.READ, Scope.OPERATE, name="on-call Sam")
    socket = await subscribe(live_api, key, "subscription { incidentAlerts { slo status } }")
    await asyncio.sleep(0.3)

    await backdated_runs(ago=timedelta(minutes=2), count=100, failed=20)
    hub = app.state.services.hub
    for _ in range(3):  # the rollup runs every minute; a burning SLO must not open a second incident
        await sync_incidents(statuses=await evaluate_slos(now=NOW, slo_file=SPEC), hub=hub)
    pages = await Incident.filter(slo="turn_success_replayed", severity="page")
    assert len(pages) == 1 and pages[0].status == IncidentStatus.OPEN
    alert = (await next_payload(socket, timeout=10))["data"]["incidentAlerts"]
    assert alert["slo"] == "turn_success_replayed"
    await socket.close()

    listed = (await graphql(client, LIST, key=key)).json()["data"]["incidents"]["edges"]
    page_id = next(edge["node"]["id"] for edge in listed if edge["node"]["severity"] == "page")
    acked = (await graphql(client, ACK, key=key, variables={"id": page_id})).json()["data"][
        "acknowledgeIncident"
    ]["incident"]
    assert (
        acked["status"] == "ACKNOWLEDGED"
        and acked["acknowledgedBy"] == "on-call Sam"
        and acked["acknowledgedAt"]
    )
    assert [entry["kind"] for entry in acked["timeline"]] == ["opened", "acknowledged"]

    later = NOW + timedelta(days=4)  # every window is past the burst
    await sync_incidents(statuses=await evaluate_slos(now=later, slo_file=SPEC), hub=hub)
    assert not await Incident.exclude(status=IncidentStatus.RESOLVED).exists()
    assert await IncidentEntry.filter(incident_id=pages[0].id, kind="resolved").exists()
