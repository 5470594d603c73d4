"""The agent domain's service: agent runs read for the API (filtered pages) and live views (one, fresh)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery

from backend.agent.models import AgentRun, RunStatus
from backend.db.keyset import Page, newest_first
from backend.quality.models import EvalScore


@dataclass(frozen=True)
class AgentRunCriteria:
    status: RunStatus | None = None
    policy: str | None = None
    prompt_version: str | None = None
    min_latency_ms: float | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    synthetic: bool | None = None
    # Scored so by online evaluation: one score of the run meets all three (None: any).
    evaluator: str | None = None
    score_passed: bool | None = None
    max_score: float | None = None

    def filters_scores(self) -> bool:
        return self.evaluator is not None or self.score_passed is not None or self.max_score is not None


async def page_agent_runs(*, criteria: AgentRunCriteria, first: int, after: str | None) -> Page[AgentRun]:
    """Agent runs matching the criteria, newest first."""
    query = AgentRun.all()
    if criteria.status:
        query = query.filter(status=criteria.status)
    if criteria.policy:
        query = query.filter(policy=criteria.policy)
    if criteria.prompt_version:
        query = query.filter(prompt_version=criteria.prompt_version)
    if criteria.min_latency_ms is not None:
        query = query.filter(latency_ms__gte=criteria.min_latency_ms)
    if criteria.created_after:
        query = query.filter(created_at__gte=criteria.created_after)
    if criteria.created_before:
        query = query.filter(created_at__lt=criteria.created_before)
    if criteria.synthetic is not None:
        query = query.filter(synthetic=criteria.synthetic)
    if criteria.filters_scores():
        # A subquery, not a join: a run stays one row however many of its scores match, and the page stays
        # one statement.
        query = query.filter(id__in=Subquery(_matching_scores(criteria).values("run_id")))
    return await newest_first(query, time_field="created_at", first=first, after=after)


def _matching_scores(criteria: AgentRunCriteria):
    scores = EvalScore.all()
    if criteria.evaluator is not None:
        scores = scores.filter(evaluator=criteria.evaluator)
    if criteria.score_passed is not None:
        scores = scores.filter(passed=criteria.score_passed)
    if criteria.max_score is not None:
        scores = scores.filter(score__lte=criteria.max_score)
    return scores


async def get_agent_run(*, run_id: uuid.UUID) -> AgentRun | None:
    """One run, read fresh from the database."""
    return await AgentRun.get_or_none(id=run_id)
