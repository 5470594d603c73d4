"""GraphQL types of evals: suites, runs, per-case results, and a comparison of two runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.db.lookup import rows_by_id
from backend.evals import service
from backend.evals.models import EvalCaseResult, EvalRun, EvalRunStatus, EvalSuite, ModelSource
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import require_scope

strawberry.enum(EvalRunStatus)
strawberry.enum(ModelSource, description="Where the openai policy's answers come from in an eval run.")


@strawberry.type(name="EvalSuite", description="One version of a golden suite (versions are content hashes).")
class EvalSuiteNode(relay.Node):
    id: relay.NodeID[str]
    name: str
    version: str
    case_count: int
    created_at: datetime

    @classmethod
    def from_model(cls, suite: EvalSuite) -> EvalSuiteNode:
        return cls(
            id=str(suite.id),
            name=suite.name,
            version=suite.version,
            case_count=suite.case_count,
            created_at=suite.created_at,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        ids = [parse_uuid(node_id) for node_id in node_ids]
        rows = await rows_by_id(EvalSuite.all(), ids)
        return [cls.from_model(row) if row else None for row in rows]


@strawberry.type(description="How one case went: pass or fail, what failed and how, and what happened.")
class EvalCaseResultView:
    case_name: str
    passed: bool
    failures: JSON
    transcript: JSON
    tool_calls: JSON
    violations: JSON
    latency_ms: float

    @classmethod
    def from_model(cls, row: EvalCaseResult) -> EvalCaseResultView:
        return cls(
            case_name=row.case_name,
            passed=row.passed,
            failures=row.failures,
            transcript=row.transcript,
            tool_calls=row.tool_calls,
            violations=row.violations,
            latency_ms=row.latency_ms,
        )


@strawberry.type(name="EvalRun")
class EvalRunNode(relay.Node):
    id: relay.NodeID[str]
    suite_name: str
    suite_version: str
    policy: str
    prompt_version: str
    model_source: ModelSource | None = strawberry.field(
        description="LIVE, RECORD or REPLAY (cassettes) for the openai policy; null for rules, which calls "
        "no model."
    )
    status: EvalRunStatus
    total: int
    passed: int
    failed: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @strawberry.field
    def pass_rate(self) -> float | None:
        done = self.passed + self.failed
        return self.passed / done if done else None

    @strawberry.field(description="Per-case results, failures first.")
    async def results(self, info: Info, failed_only: bool = False) -> list[EvalCaseResultView]:
        rows = await service.run_results(run_id=parse_uuid(self.id), failed_only=failed_only)
        return [EvalCaseResultView.from_model(row) for row in rows]

    @classmethod
    def from_model(cls, run: EvalRun) -> EvalRunNode:
        return cls(
            id=str(run.id),
            suite_name=run.suite.name,
            suite_version=run.suite.version,
            policy=run.policy,
            prompt_version=run.prompt_version,
            model_source=run.model_source,
            status=run.status,
            total=run.total,
            passed=run.passed,
            failed=run.failed,
            error=run.error,
            created_at=run.created_at,
            started_at=run.started_at,
            finished_at=run.finished_at,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        ids = [parse_uuid(node_id) for node_id in node_ids]
        rows = await rows_by_id(EvalRun.all().prefetch_related("suite"), ids)
        return [cls.from_model(row) if row else None for row in rows]


@strawberry.type(description="Two runs of the same cases, paired by case name.")
class EvalComparison:
    regressions: list[str] = strawberry.field(description="Passed in base, failed in head.")
    fixes: list[str]
    unchanged_passing: int
    unchanged_failing: int
    base_pass_rate: float
    head_pass_rate: float
    pass_rate_delta: float
    p_value: float = strawberry.field(description="Two-sided exact McNemar test on the changed cases.")
    significant_drop: bool


@strawberry.type
class EvalProgress:
    eval_run_id: strawberry.ID
    done: int
    total: int
    passed: int
    status: EvalRunStatus
