"""Live scores: each agent run once its evaluator scores are stored (online evaluation runs after the
turn)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.agent import service as agent_runs
from backend.agent.types import AgentRunNode
from backend.core.topics import RUN_SCORED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead


@strawberry.type
class QualitySubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Each agent run as its evaluator scores are stored (read them on its `scores`): of one "
        "conversation, or of all when no id is given.",
    )
    async def run_scored(
        self, info: Info, conversation_id: relay.GlobalID | None = None
    ) -> AsyncGenerator[AgentRunNode, None]:
        if conversation_id is not None and conversation_id.type_name != "Conversation":
            raise BadUserInput("'conversationId' is not a Conversation id.", field="conversationId")
        wanted = parse_uuid(conversation_id.node_id, field="conversationId") if conversation_id else None
        async for event in info.context.services.hub.subscribe(RUN_SCORED):
            if wanted is not None and parse_uuid(event["conversationId"]) != wanted:
                continue
            run_id = parse_uuid(event["runId"])
            run = await once_per_event(
                event, "run", lambda run_id=run_id: agent_runs.get_agent_run(run_id=run_id)
            )
            if run is None:
                continue
            # The event's loaders: every subscriber reads the run's fresh scores once, not an earlier event's
            # cache.
            info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
            yield AgentRunNode.from_model(run)
