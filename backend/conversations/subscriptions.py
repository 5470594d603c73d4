"""Live conversation updates, fed by Redis pub/sub so they reach clients of every API replica."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.conversations import service
from backend.conversations.types import ConversationNode
from backend.core.topics import CONVERSATION_UPDATED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead


@strawberry.type
class ConversationSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Emits a conversation each time it changes; all conversations when no id is given.",
    )
    async def conversation_updated(
        self, info: Info, conversation_id: relay.GlobalID | None = None
    ) -> AsyncGenerator[ConversationNode, None]:
        wanted = parse_uuid(conversation_id.node_id, field="conversationId") if conversation_id else None
        async for event in info.context.services.hub.subscribe(CONVERSATION_UPDATED):
            changed = parse_uuid(event["conversationId"])
            if wanted is not None and changed != wanted:
                continue
            # Read fresh: the event says what changed, the database says what it is now — read once per event
            # for every subscriber of this process, with loaders of the event's own (not a stale cache).
            conversation = await once_per_event(
                event,
                "conversation",
                lambda changed=changed: service.get_conversation(conversation_id=changed),
            )
            if conversation is not None:
                info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
                yield ConversationNode.from_model(conversation)
