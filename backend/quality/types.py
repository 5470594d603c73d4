"""GraphQL types of online evaluation: a score of one run by one evaluator, and the evaluators on disk."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.db.lookup import rows_by_id
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node, presents
from backend.graphql.permissions import require_scope
from backend.quality.definitions import Evaluator, available_versions
from backend.quality.models import EvalScore, ScoreTrigger

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode
    from backend.runs.types import AgentRunNode

strawberry.enum(
    ScoreTrigger,
    description="Why a live turn was scored: the sample drew it, a guardrail acted on it, or it failed.",
)


@presents(EvalScore)
@strawberry.type(
    name="EvalScore", description="One evaluator's verdict on one agent run (online evaluation)."
)
class EvalScoreNode(relay.Node):
    id: relay.NodeID[str]
    evaluator: str
    version: str = strawberry.field(description="The evaluator file's version; for a judge, its rubric's.")
    kind: str = strawberry.field(description="rule or judge.")
    score: float | None = strawberry.field(
        description="0 to 1, 1 best; null when the judge call was skipped."
    )
    passed: bool | None = strawberry.field(description="score >= the evaluator's passAt; null when skipped.")
    label: str = strawberry.field(
        description="What the verdict found, e.g. unbacked_cancellation, as_asked; "
        "budget_exhausted or endpoint_failed when skipped."
    )
    reason: str
    model: str | None = strawberry.field(description="The judge's model; null for rules.")
    prompt_tokens: int | None
    completion_tokens: int | None
    trigger: ScoreTrigger
    created_at: datetime
    run_id: strawberry.Private[object]
    conversation_id: strawberry.Private[object]

    @strawberry.field(description="True when the judge call was skipped (no score).")
    def skipped(self) -> bool:
        return self.score is None

    @strawberry.field(description="The run (turn) scored.")
    async def run(self, info: Info) -> Annotated[AgentRunNode, strawberry.lazy("backend.runs.types")] | None:

        row = await info.context.loaders.agent_run_by_id.load(self.run_id)
        return as_node(row)

    @strawberry.field
    async def conversation(
        self, info: Info
    ) -> Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")] | None:

        row = await info.context.loaders.conversation_by_id.load(self.conversation_id)
        return as_node(row)

    @classmethod
    def from_model(cls, row: EvalScore) -> EvalScoreNode:
        return cls(
            id=str(row.id),
            evaluator=row.evaluator,
            version=row.version,
            kind=row.kind,
            score=row.score,
            passed=row.passed,
            label=row.label,
            reason=row.reason,
            model=row.model,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            trigger=row.trigger,
            created_at=row.created_at,
            run_id=row.run_id,  # type: ignore[attr-defined]
            conversation_id=row.conversation_id,
        )  # type: ignore[attr-defined]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        rows = await rows_by_id(EvalScore.all(), [parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(row) if row else None for row in rows]


@strawberry.type(
    name="Evaluator",
    description="An evaluator file (fixtures/evaluators/<name>/<version>.yaml), its newest version.",
)
class EvaluatorView:
    name: str
    version: str
    versions: list[str] = strawberry.field(description="Every version on disk, oldest first.")
    kind: str = strawberry.field(description="rule (no model) or judge (an LLM with a rubric).")
    description: str
    pass_at: float = strawberry.field(description="A score below this is a fail.")
    online: bool = strawberry.field(description="Scores sampled live turns in this deployment.")
    rubric: str | None = strawberry.field(description="A judge's rubric (its system prompt); null for rules.")
    metric: str = strawberry.field(description="Its mean score per minute in `metrics`: quality:<name>.")

    @classmethod
    def from_evaluator(cls, evaluator: Evaluator, *, online: bool) -> EvaluatorView:
        return cls(
            name=evaluator.name,
            version=evaluator.version,
            versions=available_versions(evaluator.name),
            kind=evaluator.kind,
            description=evaluator.description,
            pass_at=evaluator.pass_at,
            online=online,
            rubric=evaluator.rubric,
            metric=f"quality:{evaluator.name}",
        )
