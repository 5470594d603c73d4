"""Batch loads for eval runs' per-case results, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.evals.models import EvalCaseResult

# (run id, failed cases only)
RunResultsKey = tuple[uuid.UUID, bool]


async def load_run_results(keys: Sequence[RunResultsKey]) -> list[list[EvalCaseResult]]:
    """Each run's case results, failures first then by case name, in one query for all runs (a run asked
    for both all and failed-only results shares the rows)."""
    run_ids = list({run_id for run_id, _ in keys})
    query = EvalCaseResult.filter(run_id__in=run_ids)
    if all(failed_only for _, failed_only in keys):
        query = query.filter(passed=False)
    grouped: dict[uuid.UUID, list[EvalCaseResult]] = {run_id: [] for run_id in run_ids}
    for row in await query.order_by("passed", "case_name"):
        grouped[row.run_id].append(row)  # type: ignore[attr-defined]
    return [
        [row for row in grouped[run_id] if not (failed_only and row.passed)] for run_id, failed_only in keys
    ]
