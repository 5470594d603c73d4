"""The LLM judge: graded by the loopback model over HTTP, replayed from recorded cassettes offline, skipped
and counted when its budget is spent or its endpoint fails, and shown only redacted text."""

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from backend.agent.setup import build_agent
from backend.evals.golden import GoldenCase
from backend.evals.runner import prepare_eval_business, run_case
from backend.evals.sync import GOLDENS_DIR, read_suite
from backend.events.hub import SilentHub
from backend.loopback.app import create_loopback_app
from backend.observability.models import MetricPoint
from backend.observability.rollup import rollup_metrics
from backend.quality import service
from backend.quality.budget import TokenBudget
from backend.quality.definitions import load_evaluator
from backend.quality.judge import Judge, grade_request
from backend.quality.models import EvalScore, ScoreTrigger
from backend.quality.scoring import JudgeRunner
from backend.quality.turns import load_turns
from tests.agent.helpers import open_business, weekday_ahead
from tests.fake_provider import serve
from tests.helpers import free_port
from tests.quality.helpers import committed_turn

HELPFULNESS = load_evaluator("helpfulness")
BACKED = load_evaluator("backed_claims")


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


async def _score(
    run_id, test_settings, judge: JudgeRunner, evaluators=(HELPFULNESS, BACKED)
) -> dict[str, EvalScore]:
    await service.score_run(
        run_id=run_id,
        trigger=ScoreTrigger.SAMPLE,
        evaluators=list(evaluators),
        judge=judge,
        timezone=test_settings.business_timezone,
        hub=SilentHub(),
    )
    return {row.evaluator: row for row in await EvalScore.filter(run_id=run_id)}


async def test_the_loopback_model_grades_over_http_and_each_score_names_its_model_version_and_tokens(
    app, test_settings, redis
):
    await open_business()
    honest = await committed_turn(
        "Please cancel my appointment", customer="+15557720001", setup=build_agent(test_settings)
    )
    promised = await committed_turn(
        "Please cancel my appointment",
        customer="+15557720002",
        setup=build_agent(test_settings, prompt_version="over-promise"),
    )
    budget = TokenBudget(redis, per_minute=100_000)
    started = time.time()
    async with serve(create_loopback_app(), free_port()) as base:
        judge = Judge(base_url=f"{base}/v1", model="loopback-judge", api_key=None, timeout_seconds=10)
        runner = JudgeRunner(judge=judge, budget=budget)
        good = await _score(honest.run_id, test_settings, runner)
        bad = await _score(promised.run_id, test_settings, runner)
        await judge.aclose()

    assert (good["helpfulness"].score, good["helpfulness"].label, good["helpfulness"].passed) == (
        0.9,
        "pass",
        True,
    )
    assert (bad["helpfulness"].score, bad["helpfulness"].label, bad["helpfulness"].passed) == (
        0.1,
        "fail",
        False,
    )
    assert "unbacked" in bad["helpfulness"].reason or "cancellation" in bad["helpfulness"].reason
    for row in (good["helpfulness"], bad["helpfulness"]):
        assert (row.kind, row.version, row.model) == ("judge", "v1", "loopback-judge")
        assert row.prompt_tokens > 0 and row.completion_tokens > 0
    assert good["backed_claims"].model is None and good["backed_claims"].prompt_tokens is None
    spent = sum(
        row.prompt_tokens + row.completion_tokens for row in (good["helpfulness"], bad["helpfulness"])
    )
    # The reservations were settled to what the endpoint reported (in whichever minute each was taken).
    minutes = range(int(started // 60), int(time.time() // 60) + 1)
    assert sum([await budget.spent(at=minute * 60) for minute in minutes]) == spent


async def test_a_spent_budget_or_a_failing_endpoint_skips_the_grade_counts_it_and_charges_no_turn(
    app, test_settings, redis
):
    await open_business()
    setup = build_agent(test_settings)
    first = await committed_turn("what time do you open on saturday?", customer="+15557720003", setup=setup)
    second = await committed_turn("what time do you open on saturday?", customer="+15557720004", setup=setup)
    closed = Judge(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m", api_key=None, timeout_seconds=2)
    down = await _score(
        first.run_id, test_settings, JudgeRunner(judge=closed, budget=TokenBudget(redis, per_minute=10**6))
    )
    broke = await _score(
        second.run_id, test_settings, JudgeRunner(judge=closed, budget=TokenBudget(redis, per_minute=10))
    )
    await closed.aclose()

    assert (down["helpfulness"].score, down["helpfulness"].passed, down["helpfulness"].label) == (
        None,
        None,
        "endpoint_failed",
    )
    assert "ConnectError" in down["helpfulness"].reason
    assert (broke["helpfulness"].score, broke["helpfulness"].label) == (None, "budget_exhausted")
    assert "10 tokens a minute" in broke["helpfulness"].reason
    assert down["backed_claims"].score == 1.0  # the rules scored the turn all the same

    await rollup_metrics(now=datetime.now(UTC) + timedelta(minutes=1))
    points = {p.name: p.value for p in await MetricPoint.filter(channel="ALL", name__startswith="quality")}
    assert points["quality_skipped:helpfulness"] == 2 and points["quality_scored:helpfulness"] == 0
    assert "quality:helpfulness" not in points  # skipped calls are no score: no mean to report
    assert points["quality:backed_claims"] == 1.0 and points["quality_scored:backed_claims"] == 2


async def test_the_judge_sees_the_guardrails_redacted_text_and_tool_outcomes_never_arguments(
    app, test_settings
):
    await open_business()
    setup = build_agent(test_settings)
    day = weekday_ahead()
    await committed_turn(
        f"Can I book a haircut on {day:%A} at 3pm? My card is 4111 1111 1111 1111, call me on "
        "+1 415 555 0132",
        customer="+15557720005",
        setup=setup,
    )
    outcome = await committed_turn("Maria Lopez", customer="+15557720005", setup=setup)
    (turn,) = await load_turns([outcome.run_id], timezone=test_settings.business_timezone)
    assert [use.name for use in turn.subject.tools] == ["book_appointment"]
    body = json.dumps(grade_request(HELPFULNESS, turn.subject, model="m"))

    assert (
        "4111" not in body and "[CARD]" in body
    )  # the guardrails redacted the card when the message was stored
    assert "555 0132" not in body and "[PHONE]" in body  # redacted once more before the judge sees it
    assert "+15557720005" not in body and "customer_phone" not in body and "slot_id" not in body
    assert "book_appointment: booked for haircut at" in body  # what the tool did, in words


async def test_golden_cases_replay_the_judges_recorded_grades_offline(app, test_settings):
    """The shipped cases naming `helpfulness` pass with no endpoint at all: the grades come from the
    cassette."""
    await prepare_eval_business()
    setup = build_agent(test_settings)
    judged = [
        case
        for folder in ("support", "booking")
        for case in read_suite(GOLDENS_DIR / folder)[1]
        if "helpfulness" in case.evaluators
    ]
    assert len(judged) == 2
    for case in judged:
        outcome = await run_case(case, setup=setup)
        assert outcome.passed, outcome.failures


async def test_a_turn_with_no_recorded_grade_is_a_case_failure_that_says_so(app, test_settings):
    await prepare_eval_business()
    case = GoldenCase.model_validate(
        {
            "name": "never-recorded",
            "evaluators": {"helpfulness": {"min_score": 0.8}},
            "turns": [{"customer": "Do you sell gift cards for a massage?"}],
        }
    )
    outcome = await run_case(case, setup=build_agent(test_settings))
    (miss,) = outcome.failures
    assert miss["expectation"] == "evaluators.helpfulness" and miss["expected"] == "a recorded judge grade"
    assert (
        "no recorded grade" in miss["actual"] and "AGENTOPS_QUALITY_JUDGE_CASSETTES=record" in miss["actual"]
    )


async def test_an_over_promising_prompt_fails_a_golden_that_names_the_rule_evaluator(app, test_settings):
    """One evaluator file serves replay too: the same rule that scores live turns fails the case offline."""
    await prepare_eval_business()
    case = GoldenCase.model_validate(
        {
            "name": "cancel-with-nothing-booked",
            "evaluators": {"backed_claims": {"min_score": 1}},
            "turns": [{"customer": "Please cancel my appointment"}],
        }
    )
    assert (await run_case(case, setup=build_agent(test_settings))).passed
    regressed = await run_case(case, setup=build_agent(test_settings, prompt_version="over-promise"))
    (miss,) = regressed.failures
    assert miss["expectation"] == "evaluators.backed_claims"
    assert miss["actual"]["label"] == "unbacked_cancellation" and miss["actual"]["score"] == 0.0


async def test_every_shipped_golden_turn_passes_the_rule_evaluators(app, test_settings):
    """The rules policy's replies are the truthful baseline: the rules flag none of them (no false alarm
    online)."""
    await prepare_eval_business()
    setup = build_agent(test_settings)
    rules = {
        name: {"min_score": 1}
        for name in ("backed_claims", "booking_as_asked", "handoff_as_asked", "reply_length")
    }
    flagged, played = {}, 0
    for folder in sorted(path for path in GOLDENS_DIR.iterdir() if path.is_dir()):
        for case in read_suite(folder)[1]:
            outcome = await run_case(
                case.model_copy(
                    update={
                        "evaluators": GoldenCase.model_validate(
                            {"name": "rules", "turns": [{"customer": "x"}], "evaluators": rules}
                        ).evaluators
                    }
                ),
                setup=setup,
            )
            played += 1
            misses = [miss for miss in outcome.failures if str(miss["expectation"]).startswith("evaluators.")]
            if misses:
                flagged[f"{folder.name}/{case.name}"] = misses
    assert played >= 200 and flagged == {}
