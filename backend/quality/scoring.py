"""Scoring one turn with a set of evaluators: rules at once, the judge through its budget.

Used alike by the online jobs (jobs/quality.py) and the golden checks
(backend/evals/evaluator_expectations.py), so one evaluator file gives the same verdict on replayed and on
live traffic.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as aioredis
import structlog

from backend.quality.budget import TokenBudget
from backend.quality.definitions import Evaluator
from backend.quality.judge import Judge, JudgeUnavailable, estimated_tokens
from backend.quality.subject import TurnSubject
from backend.quality.verdicts import BUDGET_EXHAUSTED, ENDPOINT_FAILED, Verdict, skipped
from backend.telemetry.metrics import JUDGE_CALLS, JUDGE_TOKENS

log = structlog.get_logger(__name__)


class JudgeRunner:
    """A judge and, online, its token budget (offline replays spend nothing)."""

    def __init__(self, *, judge: Judge, budget: TokenBudget | None = None) -> None:
        self.judge, self.budget = judge, budget

    async def verdict(self, evaluator: Evaluator, subject: TurnSubject) -> Verdict:
        body = self.judge.request(evaluator, subject)
        reserved, key = estimated_tokens(body), None
        if self.budget is not None:
            try:
                key = await self.budget.reserve(reserved)
            except (aioredis.RedisError, OSError) as error:
                return self._skip(evaluator, ENDPOINT_FAILED, f"the token budget could not be read: {error}")
            if key is None:
                return self._skip(
                    evaluator,
                    BUDGET_EXHAUSTED,
                    f"the judge's budget of {self.budget.per_minute} tokens a minute is spent",
                )
        try:
            grade = await self.judge.grade(body)
        except JudgeUnavailable as error:
            return self._skip(evaluator, ENDPOINT_FAILED, str(error))
        used = grade.prompt_tokens + grade.completion_tokens
        if self.budget is not None and key is not None:
            try:
                await self.budget.settle(key, reserved=reserved, used=used)
            except (aioredis.RedisError, OSError) as error:  # the reservation stands: a little overcounted
                log.warning("quality.budget_settle_failed", evaluator=evaluator.key, error=str(error))
        JUDGE_CALLS.labels(evaluator.name, "graded").inc()
        JUDGE_TOKENS.labels(evaluator.name).inc(used)
        return Verdict(
            score=grade.score,
            label="pass" if grade.score >= evaluator.pass_at else "fail",
            reason=grade.reason,
            model=grade.model,
            prompt_tokens=grade.prompt_tokens,
            completion_tokens=grade.completion_tokens,
        )

    @staticmethod
    def _skip(evaluator: Evaluator, label: str, reason: str) -> Verdict:
        JUDGE_CALLS.labels(evaluator.name, label).inc()
        log.warning("quality.judge_skipped", evaluator=evaluator.key, reason=label, error=reason)
        return skipped(label, reason)


async def evaluate_turn(
    *, subject: TurnSubject, evaluators: Sequence[Evaluator], judge: JudgeRunner | None
) -> list[tuple[Evaluator, Verdict]]:
    """Each evaluator's verdict on the turn; those that do not apply give none. A judge with no runner is
    skipped."""
    verdicts: list[tuple[Evaluator, Verdict]] = []
    for evaluator in evaluators:
        if evaluator.kind == "rule":
            verdict = evaluator.rule.score(subject)  # type: ignore[union-attr]
        elif not subject.reply:
            verdict = None  # a silent turn (a human has the conversation): nothing to grade
        elif judge is None:
            verdict = skipped(ENDPOINT_FAILED, "no judge endpoint is configured in this process")
        else:
            verdict = await judge.verdict(evaluator, subject)
        if verdict is not None:
            verdicts.append((evaluator, verdict))
    return verdicts
