"""Which turns are scored, how verdicts are stored and listed, and how a quality objective burns — in this
process, on the real tables and Redis."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from backend.agent.models import AgentRun, RunStatus
from backend.agent.setup import build_agent
from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.events.hub import SilentHub
from backend.incidents.models import Incident
from backend.incidents.service import example_conversation_ids, linked_metrics, sync_incidents
from backend.observability.slo import SloFile, evaluate_slos, load_slos
from backend.quality import service
from backend.quality.definitions import catalogue, load_evaluator
from backend.quality.models import EvalScore, ScoreTrigger
from backend.quality.sampling import PENDING_KEY, add_pending, give_back, sampled, score_trigger, take_pending
from tests.agent.helpers import open_business
from tests.helpers import graphql
from tests.quality.helpers import committed_turn

RULES = [evaluator for evaluator in catalogue() if evaluator.kind == "rule"]
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SCORES = """query($filter: RunScoreFilter, $after: String) { runScores(first: 2, after: $after, filter:
        $filter) {
  edges { node { evaluator label score } } pageInfo { hasNextPage endCursor } } }"""


def _settings(test_settings, **changes):
    return test_settings.model_copy(update=changes)


def test_the_sample_is_drawn_from_the_run_id_and_flagged_turns_are_always_scored(test_settings):
    none = _settings(test_settings, quality_sample_rate=0.0, quality_sample_rates={})
    runs = [uuid.uuid4() for _ in range(2000)]

    def drawn(settings, channel=Channel.SMS, status=RunStatus.OK, hits=0):
        return [
            score_trigger(run_id=run, channel=channel, status=status, guardrail_hits=hits, settings=settings)
            for run in runs
        ]

    assert set(drawn(none)) == {None}
    assert set(drawn(none, status=RunStatus.FAILED)) == {ScoreTrigger.FAILURE}
    assert set(drawn(none, hits=1)) == {ScoreTrigger.GUARDRAIL}
    assert set(drawn(_settings(none, quality_score_flagged=False), hits=1)) == {None}
    fifth = drawn(_settings(none, quality_sample_rate=0.2))
    assert 0.15 < fifth.count(ScoreTrigger.SAMPLE) / len(runs) < 0.25
    assert fifth == drawn(
        _settings(none, quality_sample_rate=0.2)
    )  # the same run is drawn the same way again
    voice_only = _settings(none, quality_sample_rates={Channel.VOICE: 1.0})
    assert set(drawn(voice_only, channel=Channel.VOICE)) == {ScoreTrigger.SAMPLE}
    assert set(drawn(voice_only, channel=Channel.CHAT)) == {None}


@dataclass
class _Turn:
    run_id: uuid.UUID
    channel: Channel = Channel.SMS
    status: RunStatus = RunStatus.OK
    violations: tuple[str, ...] = ()


async def test_sampled_turns_are_handed_over_on_a_pipeline_and_taken_back_in_batches(app, test_settings):
    redis = aioredis.Redis.from_url(str(test_settings.redis_url))
    try:
        settings = _settings(test_settings, quality_sample_rate=0.0)
        turns = [
            _Turn(uuid.uuid4()),
            _Turn(uuid.uuid4(), status=RunStatus.FAILED),
            _Turn(uuid.uuid4(), violations=("abuse", "pii")),
        ]
        entries = sampled(turns=turns, settings=settings)
        assert entries == [f"{turns[1].run_id}:FAILURE", f"{turns[2].run_id}:GUARDRAIL"]
        assert (
            sampled(turns=turns, settings=_settings(settings, quality_evaluators="")) == []
        )  # nothing scores them
        key = f"{PENDING_KEY}:test-{uuid.uuid4().hex[:8]}"  # not the list the suite's workers drain
        async with redis.pipeline(transaction=False) as pipe:
            add_pending(pipe, entries, key=key)
            await pipe.execute()
        await redis.rpush(key, "not-a-run:SAMPLE")
        first = await take_pending(redis, count=1, key=key)
        assert first == [(turns[1].run_id, ScoreTrigger.FAILURE)]
        await give_back(redis, first, key=key)  # a batch that failed goes back to the head of the list
        assert await take_pending(redis, count=10, key=key) == [
            (turns[1].run_id, ScoreTrigger.FAILURE),
            (turns[2].run_id, ScoreTrigger.GUARDRAIL),
        ]
        assert await redis.llen(key) == 0
    finally:
        await redis.aclose()


async def _scored(run_id, test_settings, evaluators=RULES) -> int:
    return await service.score_run(
        run_id=run_id,
        trigger=ScoreTrigger.SAMPLE,
        evaluators=evaluators,
        judge=None,
        timezone=test_settings.business_timezone,
        hub=SilentHub(),
    )


async def test_a_run_is_scored_once_per_evaluator_version_however_often_its_job_runs(app, test_settings):
    await open_business()
    outcome = await committed_turn("hi there", customer="+15557730001", setup=build_agent(test_settings))
    assert (
        await _scored(outcome.run_id, test_settings) == 3
    )  # backed_claims, guardrail_clean, reply_length apply
    assert await _scored(outcome.run_id, test_settings) == 0  # a retried job finds them stored
    rows = await EvalScore.filter(run_id=outcome.run_id).order_by("evaluator")
    assert [(row.evaluator, row.label, row.score, row.passed) for row in rows] == [
        ("backed_claims", "no_claim", 1.0, True),
        ("guardrail_clean", "clean", 1.0, True),
        ("reply_length", "within_limit", 1.0, True),
    ]
    assert {row.conversation_id for row in rows} == {outcome.conversation_id}
    assert await _scored(uuid.uuid4(), test_settings) == 0  # a run that is gone (deleted, truncated): nothing


async def test_flagged_turns_whose_hand_over_was_lost_are_found_and_scored(app, test_settings):
    await open_business()
    flagged = await committed_turn(
        "you are a useless idiot, when do you open on saturday?",
        customer="+15557730009",
        setup=build_agent(test_settings),
    )
    plain = await committed_turn(
        "when do you open on saturday?", customer="+15557730010", setup=build_agent(test_settings)
    )
    now = datetime.now(UTC)
    found = await service.unscored_flagged_runs(
        since=now - timedelta(minutes=1), until=now + timedelta(seconds=1), limit=10
    )
    assert found == {flagged.run_id: ScoreTrigger.GUARDRAIL} and plain.run_id not in found
    assert (
        await service.score_runs(
            runs=found,
            evaluators=RULES,
            judge=None,
            timezone=test_settings.business_timezone,
            hub=SilentHub(),
        )
        == 3
    )
    row = await EvalScore.get(run_id=flagged.run_id, evaluator="guardrail_clean")
    assert (row.label, row.score, row.trigger) == ("abuse", 0.0, ScoreTrigger.GUARDRAIL)
    assert (
        await service.unscored_flagged_runs(
            since=now - timedelta(minutes=1), until=now + timedelta(seconds=1), limit=10
        )
        == {}
    )


async def test_run_scores_filters_pages_and_refuses_bad_filters_with_typed_errors(
    app, client, make_key, test_settings
):
    await open_business()
    honest = await committed_turn(
        "Please cancel my appointment", customer="+15557730002", setup=build_agent(test_settings)
    )
    promised = await committed_turn(
        "Please cancel my appointment",
        customer="+15557730003",
        setup=build_agent(test_settings, prompt_version="over-promise"),
    )
    for outcome in (honest, promised):
        await _scored(outcome.run_id, test_settings)
    key = await make_key(Scope.READ)

    async def listed(filter, after=None):
        body = (await graphql(client, SCORES, key=key, variables={"filter": filter, "after": after})).json()
        return body.get("errors") or body["data"]["runScores"]

    failing = await listed({"passed": False})
    assert [edge["node"] for edge in failing["edges"]] == [
        {"evaluator": "backed_claims", "label": "unbacked_cancellation", "score": 0.0}
    ]
    first = await listed({"evaluator": "backed_claims"})
    second = await listed({"evaluator": "backed_claims"}, after=first["pageInfo"]["endCursor"])
    assert len(first["edges"]) == 2 and not first["pageInfo"]["hasNextPage"] and second["edges"] == []
    assert len((await listed({"maxScore": 0.5}))["edges"]) == 1
    assert len((await listed({"minScore": 0.5, "evaluator": "guardrail_clean"}))["edges"]) == 2

    for bad, field in [
        ({"minScore": 0.9, "maxScore": 0.1}, "filter.minScore"),
        ({"maxScore": 2}, "filter.maxScore"),
        ({"evaluator": "x" * 41}, "filter.evaluator"),
        ({"runId": "Q29udmVyc2F0aW9uOjE="}, "filter.runId"),
        (
            {"createdAfter": "2030-01-02T00:00:00Z", "createdBefore": "2030-01-01T00:00:00Z"},
            "filter.createdAfter",
        ),
    ]:
        (error,) = await listed(bad)
        assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}, (bad, error)
    assert await EvalScore.all().count() == 6  # refused filters changed nothing


async def test_the_evaluators_query_lists_the_files_and_which_score_live_turns(app, client, make_key):
    key = await make_key(Scope.READ)
    body = (
        await graphql(
            client, "{ evaluators { name version versions kind passAt online metric rubric } }", key=key
        )
    ).json()["data"]["evaluators"]
    found = {item["name"]: item for item in body}
    assert set(found) == {
        "backed_claims",
        "booking_as_asked",
        "guardrail_clean",
        "handoff_as_asked",
        "helpfulness",
        "reply_length",
    }
    assert (
        found["backed_claims"]["kind"],
        found["backed_claims"]["online"],
        found["backed_claims"]["rubric"],
    ) == ("rule", True, None)
    assert found["helpfulness"]["kind"] == "judge" and not found["helpfulness"]["online"]
    assert "grade" in found["helpfulness"]["rubric"] and found["helpfulness"]["passAt"] == 0.8
    assert found["helpfulness"]["metric"] == "quality:helpfulness" and found["helpfulness"]["versions"] == [
        "v1"
    ]


async def _backdated_scores(*, ago: timedelta, count: int, bad: int, skipped: int = 0) -> Conversation:
    conversation = await Conversation.create(
        channel=Channel.SMS, thread_key=f"q-{uuid.uuid4()}", customer="c", last_message_at=NOW
    )
    for index in range(count + skipped):
        run = await AgentRun.create(
            conversation=conversation,
            policy="rules",
            prompt_name="p",
            prompt_version="v1",
            status=RunStatus.OK,
            latency_ms=10.0,
        )
        score = None if index >= count else 0.0 if index < bad else 1.0
        row = await EvalScore.create(
            run=run,
            conversation=conversation,
            evaluator="backed_claims",
            version="v1",
            kind="rule",
            score=score,
            passed=None if score is None else score == 1.0,
            label="x",
            reason="r",
            trigger=ScoreTrigger.SAMPLE,
        )
        await EvalScore.filter(id=row.id).update(created_at=NOW - ago + timedelta(milliseconds=index))
    return conversation


async def test_a_quality_objective_burns_on_low_scores_only_pages_and_links_the_conversations(app):
    spec = load_slos()
    quality = next(slo for slo in spec.slos if slo.bad == "quality")
    replayed = SloFile(
        version=1,
        slos=[quality.model_copy(update={"name": "no_unbacked_claims_replayed"})],
        alerts=spec.alerts,
    )
    clean = await _backdated_scores(ago=timedelta(minutes=3), count=90, bad=0, skipped=50)
    burning = await _backdated_scores(ago=timedelta(minutes=2), count=10, bad=10)
    (status,) = await evaluate_slos(now=NOW, slo_file=replayed)
    rates = {rate.window: rate.rate for rate in status.burn_rates}
    assert round(rates["1h"], 6) == 10.0  # 10 bad of 100 scored turns (skipped grades count neither way): 10x
    assert (
        round(rates["5m"], 6) == 10.0
    )  # below the fast pair's 14.4x: it does not fire yet (the 6x pair does)
    assert ("1h", "5m") not in {(alert.long_window, alert.short_window) for alert in status.firing}
    await _backdated_scores(ago=timedelta(minutes=1), count=10, bad=10)
    (status,) = await evaluate_slos(now=NOW, slo_file=replayed)
    assert ("page", "1h", "5m") in {
        (alert.severity, alert.long_window, alert.short_window) for alert in status.firing
    }

    opened = await sync_incidents(statuses=[status], now=NOW)
    incident = next(row for row in opened if row.severity == "page")
    assert incident.slo == "no_unbacked_claims_replayed"
    await Incident.filter(id=incident.id).update(opened_at=NOW)
    # The real SLO file's quality objective: the incident links its evaluator's series and the bad
    # conversations.
    await Incident.filter(id=incident.id).update(slo="no_unbacked_claims")
    linked = await example_conversation_ids(incident_id=incident.id, limit=5)
    assert burning.id in linked and clean.id not in linked
    assert linked_metrics("no_unbacked_claims") == ("quality:backed_claims", "quality_scored:backed_claims")


def test_evaluator_files_and_selections_are_checked_and_say_what_is_wrong(tmp_path, test_settings):
    from backend.quality.definitions import EvaluatorFileError, EvaluatorNotFound, online_evaluators

    def write(name, text, version="v1"):
        (tmp_path / name).mkdir(exist_ok=True)
        (tmp_path / name / f"{version}.yaml").write_text(text)

    write("backed_claims", "kind: rule\ndescription: fine\nparams: {strict: true}\n")
    with pytest.raises(
        EvaluatorFileError, match=r"backed_claims/v1.yaml: params.strict: Extra inputs are not permitted"
    ):
        load_evaluator("backed_claims", directory=tmp_path)
    write("lazy_judge", "kind: judge\ndescription: no rubric\n")
    with pytest.raises(EvaluatorFileError, match="a judge has a rubric"):
        load_evaluator("lazy_judge", directory=tmp_path)
    write("mystery", "kind: rule\ndescription: which rule?\n")
    with pytest.raises(EvaluatorFileError, match="unknown rule 'mystery'"):
        load_evaluator("mystery", directory=tmp_path)
    with pytest.raises(EvaluatorNotFound, match="has no version 'v9'"):
        load_evaluator("backed_claims", "v9")
    with pytest.raises(ValueError, match="bad evaluator 'Backed Claims'"):
        online_evaluators("Backed Claims")
    assert [e.key for e in online_evaluators("backed_claims, helpfulness@v1")] == [
        "backed_claims@v1",
        "helpfulness@v1",
    ]


async def test_a_prompt_regression_drill_is_refused_with_a_typed_error_for_an_unknown_version(
    app, client, make_key
):
    key = await make_key(Scope.OPERATE)
    start = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
      ... on ValidationError { field message } } }"""
    for bad, field in [({"promptVersion": "v99"}, "promptVersion"), ({"tool": "check_availability"}, "tool")]:
        answer = (
            await graphql(
                client,
                start,
                key=key,
                variables={"input": {"kind": "PROMPT_REGRESSION", "durationSeconds": 5, **bad}},
            )
        ).json()["data"]["startSimulation"]
        assert (answer["__typename"], answer["field"]) == ("ValidationError", field), answer
    answer = (
        await graphql(
            client,
            start,
            key=key,
            variables={
                "input": {"kind": "TOOL_OUTAGE", "durationSeconds": 5, "promptVersion": "over-promise"}
            },
        )
    ).json()["data"]["startSimulation"]
    assert (answer["__typename"], answer["field"]) == ("ValidationError", "promptVersion")
    from backend.simulations.models import Simulation

    assert await Simulation.all().count() == 0
