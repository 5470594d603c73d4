"""Writing a chunk's case results and the run's counts in one statement (not a round trip per case).

A case already recorded for the run (a retried chunk, or two attempts of one chunk side by side) is left as it
was and not counted again: the counts move by the rows actually written, so a run's passed + failed never
exceeds its cases, and the run completes when they reach its total.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tortoise import connections
from tortoise.fields.data import JSON_DUMPS

from backend.evals.models import EvalCase, EvalRunStatus
from backend.evals.runner import CaseOutcome

_RECORD = """
WITH written AS (
    INSERT INTO eval_case_results (id, run_id, case_id, case_name, passed, failures, transcript, tool_calls,
                                   violations, latency_ms, created_at)
    SELECT r.id, $1, r.case_id, r.case_name, r.passed, r.failures::jsonb, r.transcript::jsonb,
        r.tool_calls::jsonb,
           r.violations::jsonb, r.latency_ms, now()
    FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::text[],
        $9::text[],
                $10::float8[])
         AS r(id, case_id, case_name, passed, failures, transcript, tool_calls, violations, latency_ms)
    ON CONFLICT (run_id, case_id) DO NOTHING
    RETURNING passed
), counted AS (
    SELECT count(*) FILTER (WHERE passed) AS passed, count(*) FILTER (WHERE NOT passed) AS failed FROM written
)
UPDATE eval_runs AS run
SET passed = run.passed + counted.passed,
    failed = run.failed + counted.failed,
    status = CASE WHEN run.passed + counted.passed + run.failed + counted.failed >= run.total THEN 'COMPLETED'
                  ELSE run.status END,
    finished_at = CASE WHEN run.status <> 'COMPLETED'
                            AND run.passed + counted.passed + run.failed + counted.failed >= run.total
                            THEN now()
                       ELSE run.finished_at END
FROM counted
WHERE run.id = $1
RETURNING run.passed, run.failed, run.total, run.status
"""


@dataclass(frozen=True)
class RunProgress:
    eval_run_id: uuid.UUID
    passed: int
    failed: int
    total: int
    status: EvalRunStatus

    def event(self) -> dict[str, Any]:
        """The eval.progress event the dashboard and evalRunProgress follow."""
        return {
            "evalRunId": str(self.eval_run_id),
            "done": self.passed + self.failed,
            "total": self.total,
            "passed": self.passed,
            "status": self.status.value,
        }


async def record_results(
    *, eval_run_id: uuid.UUID, results: Sequence[tuple[EvalCase, CaseOutcome]]
) -> RunProgress:
    """Store the cases' results (each once) and count them on the run; where the run stands after."""
    columns: list[list[Any]] = [[] for _ in range(9)]
    for case, outcome in results:
        row = (
            uuid.uuid4(),
            case.id,
            case.name,
            outcome.passed,
            JSON_DUMPS(outcome.failures),
            JSON_DUMPS(outcome.transcript),
            JSON_DUMPS(outcome.tool_calls),
            JSON_DUMPS(outcome.violations),
            outcome.latency_ms,
        )
        for column, value in zip(columns, row, strict=False):
            column.append(value)
    rows = await connections.get("default").execute_query_dict(_RECORD, [eval_run_id, *columns])
    if not rows:
        raise LookupError(f"no eval run {eval_run_id}")
    row = rows[0]
    return RunProgress(
        eval_run_id=eval_run_id,
        passed=row["passed"],
        failed=row["failed"],
        total=row["total"],
        status=EvalRunStatus(row["status"]),
    )
