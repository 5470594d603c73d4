"""The demo's backdated week (written straight into the tables) says it is synthetic wherever it is read; what
the real ingest path and the workers made says it is not."""

from datetime import UTC, datetime, timedelta

from backend.core.scopes import Scope
from backend.demo.ops_history import seed_ops_history
from backend.demo.seed import DEMO_CONVERSATIONS, seed_demo
from backend.incidents.models import Incident, IncidentEntry, IncidentStatus
from backend.incidents.service import sync_incidents
from backend.ingest.models import IngestEvent, IngestStatus
from backend.observability.slo import evaluate_slos, resolve_cooldowns
from backend.scheduling.seed import business_today, seed_business
from tests.helpers import graphql, wait_until

CONVERSATIONS = """
query($filter: ConversationFilter) {
  conversations(first: 100, filter: $filter) { edges { node { customer synthetic runs { synthetic } } } }
}"""
AGENT_RUNS = """
query($filter: AgentRunFilter) {
  agentRuns(first: 100, filter: $filter) { edges { node { synthetic conversation { synthetic } } } }
}"""
INCIDENTS = "{ incidents(first: 10) { edges { node { slo severity status synthetic } } } }"


async def _read(client, key, document, **variables):
    response = (await graphql(client, document, key=key, variables=variables)).json()
    assert "errors" not in response, response
    return response["data"]


async def test_seeded_history_is_synthetic_and_ingested_traffic_is_not(app, client, make_key, workers):
    reader = await make_key(Scope.READ)
    context = app.state.services.ingest
    added = await seed_ops_history(timezone=context.settings.business_timezone)
    await seed_business(timezone=context.settings.business_timezone, today=business_today(context.settings))
    sent = await seed_demo(context=context)

    async def all_processed():
        return await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == sent or None

    await wait_until(all_processed, timeout=60, message="the demo events processed by the workers")

    # Newest activity first: the live demo traffic, then the week that ended ten minutes ago.
    listed = [edge["node"] for edge in (await _read(client, reader, CONVERSATIONS))["conversations"]["edges"]]
    real, history = listed[:DEMO_CONVERSATIONS], listed[DEMO_CONVERSATIONS:]
    assert real and history
    assert not any(node["synthetic"] or any(run["synthetic"] for run in node["runs"]) for node in real)
    assert all(node["synthetic"] and all(run["synthetic"] for run in node["runs"]) for node in history)

    # Filterable both ways.
    only_real = (await _read(client, reader, CONVERSATIONS, filter={"synthetic": False}))["conversations"][
        "edges"
    ]
    assert len(only_real) == DEMO_CONVERSATIONS and not any(edge["node"]["synthetic"] for edge in only_real)
    only_history = (await _read(client, reader, CONVERSATIONS, filter={"synthetic": True}))["conversations"][
        "edges"
    ]
    assert len(only_history) == min(100, added) and all(edge["node"]["synthetic"] for edge in only_history)

    made_by_agents = (await _read(client, reader, AGENT_RUNS, filter={"synthetic": False}))["agentRuns"][
        "edges"
    ]
    assert made_by_agents and not any(
        e["node"]["synthetic"] or e["node"]["conversation"]["synthetic"] for e in made_by_agents
    )
    seeded_runs = (await _read(client, reader, AGENT_RUNS, filter={"synthetic": True}))["agentRuns"]["edges"]
    assert len(seeded_runs) == 100 and all(
        e["node"]["synthetic"] and e["node"]["conversation"]["synthetic"] for e in seeded_runs
    )

    # The incident the replayed SLO watch opened over that week is synthetic too.
    incidents = [edge["node"] for edge in (await _read(client, reader, INCIDENTS))["incidents"]["edges"]]
    assert incidents and all(node["synthetic"] for node in incidents)


async def test_the_week_gets_its_incidents_beside_a_real_one_open_now_and_leaves_it_alone(app):
    """An incident open when the history is seeded is neither resolved nor backdated by the replay of the
    past, and the replay's own incidents are still written (it skipped them when any incident existed)."""
    real = await Incident.create(
        slo="turn_success",
        severity="page",
        peak_burn_rate=20.0,
        summary="turn_success: burning now",
        last_burning_at=datetime.now(UTC),
    )
    await seed_ops_history(timezone=app.state.services.ingest.settings.business_timezone)

    replayed = await Incident.filter(synthetic=True)
    assert {(row.slo, row.severity) for row in replayed} >= {("turn_success", "page")}
    assert all(row.opened_at < real.opened_at - timedelta(days=1) for row in replayed)
    now = await Incident.get(id=real.id)
    assert (now.status, now.opened_at, now.synthetic) == (IncidentStatus.OPEN, real.opened_at, False)
    assert not await IncidentEntry.filter(incident_id=real.id).exists()

    # The live watch goes on with the real one; whatever the replay left open is days quiet and resolves.
    await sync_incidents(statuses=await evaluate_slos(), cooldowns=resolve_cooldowns())
    assert not await Incident.filter(synthetic=True).exclude(status=IncidentStatus.RESOLVED).exists()
    assert (await Incident.get(id=real.id)).status == IncidentStatus.OPEN
