"""A low-scored live conversation made into a golden in one call: the case expects the evaluator that failed
it to pass, not the reply that failed, so it fails until the agent is fixed and passes after."""

from strawberry.relay import GlobalID

from backend.agent.setup import build_agent
from backend.core.scopes import Scope
from backend.evals.golden import GoldenCase
from backend.evals.models import EvalCase
from backend.evals.runner import prepare_eval_business, run_case
from backend.events.hub import SilentHub
from backend.quality import service
from backend.quality.definitions import catalogue
from backend.quality.models import ScoreTrigger
from tests.agent.helpers import open_business
from tests.helpers import graphql
from tests.quality.helpers import committed_turn

CREATE = """mutation($input: CreateGoldenFromConversationInput!) { createGoldenFromConversation(input: $input)
        {
  __typename ... on CreateGoldenFromConversationPayload { caseName suite { name } } } }"""


async def test_a_golden_made_from_an_unbacked_claim_expects_the_claim_backed(
    app, client, make_key, test_settings
):
    await open_business()
    await prepare_eval_business()
    outcome = await committed_turn(
        "Please cancel my appointment",
        customer="+15557750001",
        setup=build_agent(test_settings, prompt_version="over-promise"),
    )
    await service.score_run(
        run_id=outcome.run_id,
        trigger=ScoreTrigger.SAMPLE,
        judge=None,
        hub=SilentHub(),
        evaluators=[e for e in catalogue() if e.kind == "rule"],
        timezone=test_settings.business_timezone,
    )
    key = await make_key(Scope.OPERATE)
    made = (
        await graphql(
            client,
            CREATE,
            key=key,
            variables={
                "input": {
                    "conversationId": str(GlobalID("Conversation", str(outcome.conversation_id))),
                    "suite": "from-production",
                    "name": "over-promised-cancellation",
                }
            },
        )
    ).json()
    assert made["data"]["createGoldenFromConversation"]["caseName"] == "over-promised-cancellation", made

    case = GoldenCase.model_validate((await EvalCase.get(name="over-promised-cancellation")).definition)
    (turn,) = case.turns
    assert {key: value.min_score for key, value in turn.expect.evaluators.items()} == {
        "backed_claims@v1": 1.0
    }
    assert (
        turn.expect.reply_contains == []
    )  # "Done, your booking is cancelled." is what must not be said again
    assert turn.tool_results == {"find_bookings": {"bookings": []}}

    regressed = await run_case(case, setup=build_agent(test_settings, prompt_version="over-promise"))
    assert [miss["actual"]["label"] for miss in regressed.failures] == ["unbacked_cancellation"]
    assert (
        await run_case(case, setup=build_agent(test_settings))
    ).passed  # the shipped prompt says nothing was cancelled
