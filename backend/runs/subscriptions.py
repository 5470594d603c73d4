"""Live agent runs: each turn as the runtime announces it after commit, and again once it is scored."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.topics import RUN_COMPLETED, RUN_SCORED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead
from backend.runs import service as agent_runs
from backend.runs.types import AgentRunNode


async def _announced_runs(
    info: Info, *, topic: str, conversation_id: relay.GlobalID | None
) -> AsyncGenerator[AgentRunNode, None]:
    """The runs named by `topic`'s events, of one conversation or of all, each read fresh."""
    if conversation_id is not None and conversation_id.type_name != "Conversation":
        raise BadUserInput("'conversationId' is not a Conversation id.", field="conversationId")
    wanted = parse_uuid(conversation_id.node_id, field="conversationId") if conversation_id else None
    async for event in info.context.services.hub.subscribe(topic):
        if wanted is not None and parse_uuid(event["conversationId"]) != wanted:
            continue
        # Read fresh: the event says which run, the database says what it is now (once per event for all
        # subscribers). The loaders are the event's too: not a cache of an earlier event's conversation or
        # scores.
        run_id = parse_uuid(event["runId"])
        run = await once_per_event(
            event, "run", lambda run_id=run_id: agent_runs.get_agent_run(run_id=run_id)
        )
        if run is None:
            continue
        info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
        yield AgentRunNode.from_model(run)


@strawberry.type
class AgentSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Each agent run as it completes: of one conversation, or of all when no id is given.",
    )
    async def run_completed(
        self, info: Info, conversation_id: relay.GlobalID | None = None
    ) -> AsyncGenerator[AgentRunNode, None]:
        async for run in _announced_runs(info, topic=RUN_COMPLETED, conversation_id=conversation_id):
            yield run

    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Each agent run as its evaluator scores are stored (read them on its `scores`): of one "
        "conversation, or of all when no id is given.",
    )
    async def run_scored(
        self, info: Info, conversation_id: relay.GlobalID | None = None
    ) -> AsyncGenerator[AgentRunNode, None]:
        # Online evaluation (backend/quality) scores a sampled turn after it, in a job of its own.
        async for run in _announced_runs(info, topic=RUN_SCORED, conversation_id=conversation_id):
            yield run
