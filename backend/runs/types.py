"""GraphQL types of the agent's record: each run (one turn) and the tool calls it made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node, presents
from backend.graphql.permissions import require_scope

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode, MessageNode
    from backend.guardrails.types import GuardrailViolationNode
    from backend.quality.types import EvalScoreNode

strawberry.enum(
    RunStatus, description="OK: answered; FAILED: answered with the fallback reply; HANDED_OFF: to a human."
)


@strawberry.type(
    name="ToolCall", description="One tool the agent used in a run: what it was given, what it got back."
)
class ToolCallRecord:
    name: str
    position: int = strawberry.field(description="Order within the run, from 1.")
    arguments: JSON
    result: JSON | None = strawberry.field(description="Null when the call failed.")
    error: str | None
    latency_ms: float

    @classmethod
    def from_model(cls, call: ToolCall) -> ToolCallRecord:
        return cls(
            name=call.name,
            position=call.position,
            arguments=call.arguments,
            result=call.result,
            error=call.error,
            latency_ms=call.latency_ms,
        )


@presents(AgentRun)
@strawberry.type(
    name="AgentRun", description="One agent turn: the message it answered, its decision and its reply."
)
class AgentRunNode(relay.Node):
    id: relay.NodeID[str]
    policy: str
    prompt_name: str
    prompt_version: str
    model: str | None = strawberry.field(
        description="The LLM that wrote the reply; null for rule-based policies."
    )
    intent: str | None
    status: RunStatus
    latency_ms: float
    prompt_tokens: int | None
    completion_tokens: int | None
    error: str | None = strawberry.field(description="Why the run failed (FAILED runs only).")
    created_at: datetime
    synthetic: bool = strawberry.field(
        description=(
            "Part of the demo's backdated history, written into the tables by `agentops seed` / `make up`: "
            "no agent "
            "made this run."
        )
    )
    conversation_id: strawberry.Private[object]
    trigger_message_id: strawberry.Private[object | None]
    reply_message_id: strawberry.Private[object | None]

    @strawberry.field
    async def conversation(
        self, info: Info
    ) -> Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")] | None:
        row = await info.context.loaders.conversation_by_id.load(self.conversation_id)
        return as_node(row)

    @strawberry.field(description="The customer message this run answered.")
    async def trigger_message(
        self, info: Info
    ) -> Annotated[MessageNode, strawberry.lazy("backend.conversations.types")] | None:
        if self.trigger_message_id is None:
            return None
        message = await info.context.loaders.message_by_id.load(self.trigger_message_id)
        return as_node(message)

    @strawberry.field(description="The reply this run wrote (null while the run is being recorded).")
    async def reply_message(
        self, info: Info
    ) -> Annotated[MessageNode, strawberry.lazy("backend.conversations.types")] | None:
        if self.reply_message_id is None:
            return None
        message = await info.context.loaders.message_by_id.load(self.reply_message_id)
        return as_node(message)

    @strawberry.field(description="The tools it used, in the order it called them.")
    async def tool_calls(self, info: Info) -> list[ToolCallRecord]:
        calls = await info.context.loaders.tool_calls_by_run.load(parse_uuid(self.id))
        return [ToolCallRecord.from_model(call) for call in calls]

    @strawberry.field(description="Guardrail hits of this turn (input, output and tool calls).")
    async def violations(
        self, info: Info
    ) -> list[Annotated[GuardrailViolationNode, strawberry.lazy("backend.guardrails.types")]]:
        rows = await info.context.loaders.violations_by_run.load(parse_uuid(self.id))
        return [as_node(row) for row in rows]

    @strawberry.field(description="Evaluator scores of this turn (online evaluation of a sampled turn).")
    async def scores(
        self, info: Info, evaluator: str | None = None
    ) -> list[Annotated[EvalScoreNode, strawberry.lazy("backend.quality.types")]]:
        rows = await info.context.loaders.scores_by_run.load(parse_uuid(self.id))
        return [as_node(row) for row in rows if evaluator is None or row.evaluator == evaluator]

    @classmethod
    def from_model(cls, run: AgentRun) -> AgentRunNode:
        return cls(
            id=str(run.id),
            policy=run.policy,
            prompt_name=run.prompt_name,
            prompt_version=run.prompt_version,
            model=run.model,
            intent=run.intent,
            status=run.status,
            latency_ms=run.latency_ms,
            prompt_tokens=run.prompt_tokens,
            completion_tokens=run.completion_tokens,
            error=run.error,
            created_at=run.created_at,
            synthetic=run.synthetic,
            conversation_id=run.conversation_id,  # type: ignore[attr-defined]
            trigger_message_id=run.trigger_message_id,  # type: ignore[attr-defined]
            reply_message_id=run.reply_message_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        runs = await info.context.loaders.agent_run_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
        return [cls.from_model(run) if run else None for run in runs]
