"""Scoring committed turns with the online evaluators and storing the verdicts; listing scores."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from tortoise import connections

from backend.db.keyset import Page, newest_first
from backend.events.hub import EventHub, SilentHub
from backend.events.topics import RUN_SCORED
from backend.observability.metrics import QUALITY_SCORES
from backend.quality.definitions import Evaluator
from backend.quality.models import EvalScore, ScoreTrigger
from backend.quality.scoring import JudgeRunner, evaluate_turn
from backend.quality.turns import load_turns

log = structlog.get_logger(__name__)

# One statement for every verdict of a run; a retried job's verdicts already stored are left as they are.
_INSERT = """
INSERT INTO eval_scores (id, run_id, conversation_id, evaluator, version, kind, score, passed, label, reason, model,
                         prompt_tokens, completion_tokens, trigger, created_at)
SELECT gen_random_uuid(), v.run_id, v.conversation_id, v.evaluator, v.version, v.kind, v.score, v.passed, v.label,
       v.reason, v.model, v.prompt_tokens, v.completion_tokens, $13, now()
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::bool[], $8::text[],
            $9::text[], $10::text[], $11::int[], $12::int[])
     AS v(run_id, conversation_id, evaluator, version, kind, score, passed, label, reason, model, prompt_tokens,
          completion_tokens)
WHERE EXISTS (SELECT 1 FROM agent_runs WHERE id = v.run_id)
ON CONFLICT (run_id, evaluator, version) DO NOTHING
"""


async def score_run(*, run_id: uuid.UUID, trigger: ScoreTrigger, evaluators: Sequence[Evaluator],
                    judge: JudgeRunner | None, timezone: str, hub: EventHub | SilentHub) -> int:
    """Score one committed run with every evaluator that has not scored it yet; returns how many verdicts were stored.

    Two statements (the read, one insert) and an event after the commit; no connection is held while a judge
    thinks. A run deleted meanwhile (a test's truncate, a retention job) is scored as nothing.
    """
    turns = await load_turns([run_id], timezone=timezone)
    if not turns:
        return 0
    turn = turns[0]
    pending = [evaluator for evaluator in evaluators if evaluator.key not in turn.scored]
    verdicts = await evaluate_turn(subject=turn.subject, evaluators=pending, judge=judge)
    if not verdicts:
        return 0
    columns: list[list] = [[] for _ in range(12)]
    for evaluator, verdict in verdicts:
        row = [turn.run_id, turn.conversation_id, evaluator.name, evaluator.version, evaluator.kind, verdict.score,
               evaluator.passed(verdict.score), verdict.label[:40], verdict.reason, verdict.model,
               verdict.prompt_tokens, verdict.completion_tokens]
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    await connections.get("default").execute_query(_INSERT, [*columns, trigger.value])
    for evaluator, verdict in verdicts:
        QUALITY_SCORES.labels(evaluator.name, verdict.label[:40]).inc()
    await hub.publish(RUN_SCORED, {"runId": str(turn.run_id), "conversationId": str(turn.conversation_id)})
    log.debug("quality.scored", run_id=str(run_id), trigger=trigger.value,
              verdicts={evaluator.name: verdict.label for evaluator, verdict in verdicts})
    return len(verdicts)


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
