"""Queries over eval suites and runs, and the comparison of two runs."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.evals import service
from backend.evals.models import EvalSuite
from backend.evals.types import EvalComparison, EvalRunNode, EvalSuiteNode
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length


def _run_id(value: relay.GlobalID, field: str):
    if value.type_name != "EvalRun":
        raise BadUserInput(f"'{field}' is not an EvalRun id.", field=field)
    return parse_uuid(value.node_id, field=field)


@strawberry.type
class EvalQueries:
    @strawberry.field(permission_classes=[CanRead], description="Golden suite versions, newest first.")
    async def eval_suites(
        self, info: Info, first: int | None = None, after: str | None = None, name: str | None = None
    ) -> relay.Connection[EvalSuiteNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        check_text_filter(name, field="name", max_length=column_length(EvalSuite, "name"))
        return to_connection(
            await service.page_suites(name=name, first=size, after=after), EvalSuiteNode.from_model
        )

    @strawberry.field(permission_classes=[CanRead], description="Eval runs, newest first.")
    async def eval_runs(
        self, info: Info, first: int | None = None, after: str | None = None, suite: str | None = None
    ) -> relay.Connection[EvalRunNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        check_text_filter(suite, field="suite", max_length=column_length(EvalSuite, "name"))
        return to_connection(
            await service.page_runs(suite_name=suite, first=size, after=after), EvalRunNode.from_model
        )

    @strawberry.field(permission_classes=[CanRead])
    async def eval_run(self, info: Info, id: relay.GlobalID) -> EvalRunNode | None:
        run = await service.get_run(run_id=_run_id(id, "id"))
        return EvalRunNode.from_model(run) if run else None

    @strawberry.field(
        permission_classes=[CanRead], description="What changed from base to head, case by case."
    )
    async def compare_eval_runs(
        self, info: Info, base: relay.GlobalID, head: relay.GlobalID
    ) -> EvalComparison:
        result = await service.compare_runs(base_id=_run_id(base, "base"), head_id=_run_id(head, "head"))
        return EvalComparison(
            regressions=result.regressions,
            fixes=result.fixes,
            unchanged_passing=result.unchanged_passing,
            unchanged_failing=result.unchanged_failing,
            base_pass_rate=result.base_pass_rate,
            head_pass_rate=result.head_pass_rate,
            pass_rate_delta=result.head_pass_rate - result.base_pass_rate,
            p_value=result.p_value,
            significant_drop=result.significant_drop,
        )
