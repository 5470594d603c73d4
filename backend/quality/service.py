"""Scoring committed turns with the online evaluators and storing the verdicts; listing scores."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from tortoise import connections

from backend.core.topics import RUN_SCORED
from backend.db.keyset import Page, newest_first
from backend.events.hub import EventHub, SilentHub
from backend.quality.definitions import Evaluator
from backend.quality.models import EvalScore, ScoreTrigger
from backend.quality.scoring import JudgeRunner, evaluate_turn
from backend.quality.turns import StoredTurn, load_turns
from backend.quality.verdicts import Verdict
from backend.telemetry.metrics import QUALITY_SCORES

log = structlog.get_logger(__name__)

# One statement for every verdict of a batch; a verdict already stored (a batch scored again) is left as is.
_INSERT = """
INSERT INTO eval_scores (id, run_id, conversation_id, evaluator, version, kind, score, passed, label, reason,
                         model, prompt_tokens, completion_tokens, trigger, created_at)
SELECT gen_random_uuid(), v.run_id, v.conversation_id, v.evaluator, v.version, v.kind, v.score, v.passed,
       v.label, v.reason, v.model, v.prompt_tokens, v.completion_tokens, v.trigger, now()
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bool[], $8::text[],
            $9::text[], $10::text[], $11::int[], $12::int[], $13::text[])
     AS v(run_id, conversation_id, evaluator, version, kind, score, passed, label, reason, model,
          prompt_tokens, completion_tokens, trigger)
WHERE EXISTS (SELECT 1 FROM agent_runs WHERE id = v.run_id)
ON CONFLICT (run_id, evaluator, version) DO NOTHING
"""
# Turns the guardrails acted on or that failed, in a window, that no evaluator scored (hand-over lost).
_UNSCORED_FLAGGED = """
SELECT id, flagged FROM (
    SELECT r.id, 'FAILURE' AS flagged FROM agent_runs r
    WHERE r.status = 'FAILED' AND r.created_at >= $1 AND r.created_at < $2 AND NOT r.synthetic
    UNION
    SELECT DISTINCT v.run_id, 'GUARDRAIL' FROM guardrail_violations v
    WHERE v.created_at >= $1 AND v.created_at < $2 AND v.run_id IS NOT NULL
) flagged_runs
WHERE NOT EXISTS (SELECT 1 FROM eval_scores s WHERE s.run_id = flagged_runs.id)
LIMIT $3
"""
JUDGE_CONCURRENCY = 8  # judge calls of one batch in flight at once


async def score_runs(
    *,
    runs: dict[uuid.UUID, ScoreTrigger],
    evaluators: Sequence[Evaluator],
    judge: JudgeRunner | None,
    timezone: str,
    hub: EventHub | SilentHub,
) -> int:
    """Score committed runs with every evaluator that has not scored them yet; returns how many verdicts were
    stored.

    One query reads every run, one statement writes every verdict, one round trip publishes `run.scored` for
    each: a batch costs the same statements as a single run. No connection is held while a judge thinks. A run
    deleted meanwhile (a test's truncate, a retention job) is scored as nothing.
    """
    turns = await load_turns(list(runs), timezone=timezone)
    gate = asyncio.Semaphore(JUDGE_CONCURRENCY)

    async def judged(turn: StoredTurn) -> list[tuple[Evaluator, Verdict]]:
        # Rules are CPU work with no await in them (a few ms a turn, the NLU's date reading included): without
        # this, a batch of 200 ran as one block of the worker's event loop and the turns it was running waited
        # for all of it. Now other work runs between two scored turns.
        await asyncio.sleep(0)
        pending = [evaluator for evaluator in evaluators if evaluator.key not in turn.scored]
        if not any(evaluator.kind == "judge" for evaluator in pending):
            return await evaluate_turn(subject=turn.subject, evaluators=pending, judge=judge)
        async with gate:
            return await evaluate_turn(subject=turn.subject, evaluators=pending, judge=judge)

    results = await asyncio.gather(*(judged(turn) for turn in turns))
    columns: list[list] = [[] for _ in range(13)]
    for turn, verdicts in zip(turns, results, strict=True):
        for evaluator, verdict in verdicts:
            row = [
                turn.run_id,
                turn.conversation_id,
                evaluator.name,
                evaluator.version,
                evaluator.kind,
                verdict.score,
                evaluator.passed(verdict.score),
                verdict.label[:40],
                verdict.reason,
                verdict.model,
                verdict.prompt_tokens,
                verdict.completion_tokens,
                runs[turn.run_id].value,
            ]
            for column, value in zip(columns, row, strict=True):
                column.append(value)
    if not columns[0]:
        return 0
    await connections.get("default").execute_query(_INSERT, columns)
    for verdicts in results:
        for evaluator, verdict in verdicts:
            QUALITY_SCORES.labels(evaluator.name, verdict.label[:40]).inc()
    await hub.publish_many(
        [
            (RUN_SCORED, {"runId": str(turn.run_id), "conversationId": str(turn.conversation_id)})
            for turn, verdicts in zip(turns, results, strict=True)
            if verdicts
        ]
    )
    log.debug("quality.scored", runs=len(turns), verdicts=len(columns[0]))
    return len(columns[0])


async def score_run(
    *,
    run_id: uuid.UUID,
    trigger: ScoreTrigger,
    evaluators: Sequence[Evaluator],
    judge: JudgeRunner | None,
    timezone: str,
    hub: EventHub | SilentHub,
) -> int:
    """Score one committed run (score_runs of one)."""
    return await score_runs(
        runs={run_id: trigger}, evaluators=evaluators, judge=judge, timezone=timezone, hub=hub
    )


async def unscored_flagged_runs(
    *, since: datetime, until: datetime, limit: int
) -> dict[uuid.UUID, ScoreTrigger]:
    """Failed or guardrail-flagged runs of [since, until) that no evaluator scored."""
    rows = await connections.get("default").execute_query_dict(_UNSCORED_FLAGGED, [since, until, limit])
    return {row["id"]: ScoreTrigger(row["flagged"]) for row in rows}


@dataclass(frozen=True)
class ScoreCriteria:
    evaluator: str | None = None
    version: str | None = None
    label: str | None = None
    passed: bool | None = None
    skipped: bool | None = None
    min_score: float | None = None
    max_score: float | None = None
    run_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    trigger: ScoreTrigger | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def page_scores(*, criteria: ScoreCriteria, first: int, after: str | None) -> Page[EvalScore]:
    """Scores matching the criteria, newest first."""
    query = EvalScore.all()
    for field in ("evaluator", "version", "label", "passed", "trigger", "run_id", "conversation_id"):
        value = getattr(criteria, field)
        if value is not None:
            query = query.filter(**{field: value})
    if criteria.skipped is not None:
        query = query.filter(score__isnull=criteria.skipped)
    if criteria.min_score is not None:
        query = query.filter(score__gte=criteria.min_score)
    if criteria.max_score is not None:
        query = query.filter(score__lte=criteria.max_score)
    if criteria.created_after:
        query = query.filter(created_at__gte=criteria.created_after)
    if criteria.created_before:
        query = query.filter(created_at__lt=criteria.created_before)
    return await newest_first(query, time_field="created_at", first=first, after=after)
