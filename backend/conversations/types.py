"""GraphQL types for conversations and messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.auth.scopes import Scope
from backend.channels.enums import Channel
from backend.conversations import service
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.db.keyset import Page, decode_position, encode_position
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import require_scope

strawberry.enum(Channel, description="Where the customer wrote from.")
strawberry.enum(ConversationStatus, description="OPEN: the agent answers; HANDED_OFF: a human does; CLOSED.")
strawberry.enum(MessageDirection)
strawberry.enum(MessageAuthor)


@strawberry.type(name="Message")
class MessageNode(relay.Node):
    id: relay.NodeID[str]
    sequence: int = strawberry.field(description="Position in the thread, from 1.")
    direction: MessageDirection
    author: MessageAuthor
    text: str
    created_at: datetime
    conversation_id: strawberry.Private[object]

    @strawberry.field
    async def conversation(self, info: Info) -> ConversationNode | None:
        row = await info.context.loaders.conversation_by_id.load(self.conversation_id)
        return ConversationNode.from_model(row) if row else None

    @classmethod
    def from_model(cls, message: Message) -> MessageNode:
        return cls(
            id=str(message.id),
            sequence=message.sequence,
            direction=message.direction,
            author=message.author,
            text=message.text,
            created_at=message.created_at,
            conversation_id=message.conversation_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        messages = await service.get_messages(message_ids=[parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(message) if message else None for message in messages]


@strawberry.type(name="Conversation")
class ConversationNode(relay.Node):
    id: relay.NodeID[str]
    channel: Channel
    customer: str = strawberry.field(description="The sender: a phone number or a user id.")
    status: ConversationStatus
    message_count: int
    created_at: datetime
    last_message_at: datetime

    @strawberry.field(description="The newest message of the thread.")
    async def last_message(self, info: Info) -> MessageNode | None:
        message = await info.context.loaders.last_message_by_conversation.load(parse_uuid(self.id))
        return MessageNode.from_model(message) if message else None

    @strawberry.field(description="The thread, oldest first.")
    async def messages(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[MessageNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        rows, has_more = await info.context.loaders.message_page.load(
            (parse_uuid(self.id), size, decode_position(after) if after else 0)
        )
        page = Page(items=rows, cursors=[encode_position(row.sequence) for row in rows], has_next_page=has_more)
        return to_connection(page, MessageNode.from_model)

    @classmethod
    def from_model(cls, conversation: Conversation) -> ConversationNode:
        return cls(
            id=str(conversation.id),
            channel=conversation.channel,
            customer=conversation.customer,
            status=conversation.status,
            message_count=conversation.message_count,
            created_at=conversation.created_at,
            last_message_at=conversation.last_message_at,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        loader = info.context.loaders.conversation_by_id
        rows = await loader.load_many([parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(row) if row else None for row in rows]
