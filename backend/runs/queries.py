"""Queries over the agent's runs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.agent.models import AgentRun, RunStatus
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length
from backend.graphql.time_range import check_range
from backend.quality.models import EvalScore
from backend.runs import service as agent_runs
from backend.runs.types import AgentRunNode


@strawberry.input(description="Narrow the agent runs; every field is optional and they combine with AND.")
class AgentRunFilter:
    status: RunStatus | None = None
    policy: str | None = None
    prompt_version: str | None = None
    min_latency_ms: float | None = strawberry.field(
        default=None, description="Runs that took at least this long."
    )
    created_after: datetime | None = None
    created_before: datetime | None = None
    synthetic: bool | None = strawberry.field(
        default=None, description="true: only the demo's backdated history; false: only runs an agent made."
    )
    evaluator: str | None = strawberry.field(
        default=None,
        description="Runs this evaluator scored online; with scorePassed or maxScore, runs it scored so.",
    )
    score_passed: bool | None = strawberry.field(
        default=None,
        description="false: runs an evaluator (the one named, or any) failed; true: runs one passed.",
    )
    max_score: float | None = strawberry.field(
        default=None, description="Runs an evaluator (the one named, or any) scored at most this (0 to 1)."
    )

    def criteria(self) -> agent_runs.AgentRunCriteria:
        check_range(
            self.created_after, self.created_before, start_field="createdAfter", end_field="createdBefore"
        )
        if self.min_latency_ms is not None and self.min_latency_ms < 0:
            raise BadUserInput("'minLatencyMs' must not be negative.", field="filter.minLatencyMs")
        check_text_filter(self.policy, field="filter.policy", max_length=column_length(AgentRun, "policy"))
        check_text_filter(
            self.prompt_version,
            field="filter.promptVersion",
            max_length=column_length(AgentRun, "prompt_version"),
        )
        check_text_filter(
            self.evaluator, field="filter.evaluator", max_length=column_length(EvalScore, "evaluator")
        )
        if self.max_score is not None and not 0 <= self.max_score <= 1:
            raise BadUserInput("'maxScore' must be between 0 and 1.", field="filter.maxScore")
        return agent_runs.AgentRunCriteria(
            status=self.status,
            policy=self.policy,
            prompt_version=self.prompt_version,
            min_latency_ms=self.min_latency_ms,
            created_after=self.created_after,
            created_before=self.created_before,
            synthetic=self.synthetic,
            evaluator=self.evaluator,
            score_passed=self.score_passed,
            max_score=self.max_score,
        )


@strawberry.type
class AgentQueries:
    @strawberry.field(permission_classes=[CanRead], description="Agent runs (one per turn), newest first.")
    async def agent_runs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AgentRunFilter | None = None,
    ) -> relay.Connection[AgentRunNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else agent_runs.AgentRunCriteria()
        page = await agent_runs.page_agent_runs(criteria=criteria, first=size, after=after)
        return to_connection(page, AgentRunNode.from_model)

    @strawberry.field(permission_classes=[CanRead], description="One agent run by its id (null if none).")
    async def agent_run(self, info: Info, id: relay.GlobalID) -> AgentRunNode | None:
        if id.type_name != "AgentRun":
            raise BadUserInput("'id' is not an AgentRun id.", field="id")
        run = await info.context.loaders.agent_run_by_id.load(parse_uuid(id.node_id))
        return AgentRunNode.from_model(run) if run else None
