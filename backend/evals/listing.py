"""Reading eval suites, runs and results."""

from __future__ import annotations

import uuid

from backend.db.keyset import Page, newest_first
from backend.evals.models import EvalCaseResult, EvalRun, EvalSuite


async def page_suites(*, name: str | None, first: int, after: str | None) -> Page[EvalSuite]:
    """Suite versions, newest first."""
    query = EvalSuite.filter(name=name) if name else EvalSuite.all()
    return await newest_first(query, time_field="created_at", first=first, after=after)


async def page_runs(*, suite_name: str | None, first: int, after: str | None) -> Page[EvalRun]:
    """Eval runs, newest first, with their suite."""
    query = EvalRun.filter(suite__name=suite_name) if suite_name else EvalRun.all()
    page = await newest_first(
        query.prefetch_related("suite"), time_field="created_at", first=first, after=after
    )
    return page


async def get_run(*, run_id: uuid.UUID) -> EvalRun | None:
    return await EvalRun.get_or_none(id=run_id).prefetch_related("suite")


async def run_results(*, run_id: uuid.UUID, failed_only: bool) -> list[EvalCaseResult]:
    query = EvalCaseResult.filter(run_id=run_id)
    if failed_only:
        query = query.filter(passed=False)
    return await query.order_by("passed", "case_name")
