"""Live agent runs: each completed turn, as the runtime announces it after commit."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.agent import service as agent_runs
from backend.agent.types import AgentRunNode
from backend.core.topics import RUN_COMPLETED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead


@strawberry.type
class AgentSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Each agent run as it completes: of one conversation, or of all when no id is given.",
    )
    async def run_completed(
        self, info: Info, conversation_id: relay.GlobalID | None = None
    ) -> AsyncGenerator[AgentRunNode, None]:
        if conversation_id is not None and conversation_id.type_name != "Conversation":
            raise BadUserInput("'conversationId' is not a Conversation id.", field="conversationId")
        wanted = parse_uuid(conversation_id.node_id, field="conversationId") if conversation_id else None
        async for event in info.context.services.hub.subscribe(RUN_COMPLETED):
            if wanted is not None and parse_uuid(event["conversationId"]) != wanted:
                continue
            # Read fresh: the event says which run, the database says what it is now (once per event for all
            # subscribers). The loaders are the event's too: not a cache of an earlier event's conversation.
            run_id = parse_uuid(event["runId"])
            run = await once_per_event(
                event, "run", lambda run_id=run_id: agent_runs.get_agent_run(run_id=run_id)
            )
            if run is None:
                continue
            info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
            yield AgentRunNode.from_model(run)
