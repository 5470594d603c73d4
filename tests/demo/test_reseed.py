"""reseedDemo: admins send a fresh round of demo conversations from the API; everyone else is refused."""

from backend.core.scopes import Scope
from backend.demo.seed import demo_events
from backend.evals.models import EvalRun
from backend.ingest.models import IngestEvent
from backend.observability.models import MetricPoint
from tests.helpers import graphql

RESEED_DEMO = "mutation { reseedDemo { slotsAdded eventsAccepted evalRuns historyConversations } }"


async def test_each_reseed_sends_a_new_round_and_fills_history_once(app, client, make_key):
    admin = await make_key(Scope.ADMIN)
    first = (await graphql(client, RESEED_DEMO, key=admin)).json()["data"]["reseedDemo"]
    assert first["eventsAccepted"] == len(demo_events())
    assert first["slotsAdded"] > 0 and first["evalRuns"] > 0 and first["historyConversations"] > 0
    assert await EvalRun.exists() and await MetricPoint.exists()

    second = (await graphql(client, RESEED_DEMO, key=admin)).json()["data"]["reseedDemo"]
    # A new round of conversations; the history is already there and is not written twice.
    assert second["eventsAccepted"] == len(demo_events())
    assert second["evalRuns"] == 0 and second["historyConversations"] == 0
    assert await IngestEvent.filter(metadata__contains={"source": "demo-seed"}).count() == 2 * len(
        demo_events()
    )


async def test_an_operator_may_not_reseed(app, client, make_key):
    operator = await make_key(Scope.OPERATE, Scope.READ)
    response = await graphql(client, RESEED_DEMO, key=operator)
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await IngestEvent.all().count() == 0
