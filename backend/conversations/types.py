"""GraphQL types for conversations and messages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.conversations import service
from backend.conversations.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Message,
    MessageAuthor,
    MessageDirection,
)
from backend.core.enums import Channel, DeliveryProvider
from backend.core.scopes import Scope
from backend.db.keyset import Page, decode_position, encode_position
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node, presents
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import require_scope

if TYPE_CHECKING:
    # Other domains' types, referred to lazily and built with as_node: never imported at run time.
    from backend.guardrails.types import GuardrailViolationNode
    from backend.quality.types import EvalScoreNode
    from backend.runs.types import AgentRunNode
    from backend.scheduling.types import BookingNode
    from backend.tickets.types import TicketNode

strawberry.enum(Channel, description="Where the customer wrote from.")
strawberry.enum(ConversationStatus, description="OPEN: the agent answers; HANDED_OFF: a human does; CLOSED.")
strawberry.enum(
    DeliveryProvider,
    description=(
        "Who takes a reply: TWILIO (SMS), WEBHOOK (the chat or voice receiver), SANDBOX (the built-in "
        "sandbox "
        "provider: accepted and recorded, never delivered to a customer)."
    ),
)
strawberry.enum(MessageDirection)
strawberry.enum(MessageAuthor)
strawberry.enum(
    DeliveryStatus,
    description=(
        "Outbound only. QUEUED: waiting for an attempt; SENDING: an attempt is with the provider; SENT; "
        "FAILED: it did "
        "not arrive; UNCERTAIN: an attempt did not finish and nothing could tell whether it arrived — an "
        "operator "
        "decides (resendReply)."
    ),
)


@presents(Message)
@strawberry.type(name="Message")
class MessageNode(relay.Node):
    id: relay.NodeID[str]
    sequence: int = strawberry.field(description="Position in the thread, from 1.")
    direction: MessageDirection
    author: MessageAuthor
    text: str
    created_at: datetime
    delivery_status: DeliveryStatus | None = strawberry.field(description="Null for inbound messages.")
    delivery_attempts: int
    delivered_at: datetime | None
    delivery_error: str | None = strawberry.field(description="The channel's last refusal, if any.")
    delivery_resent_by: str | None = strawberry.field(
        description="Who resent it after UNCERTAIN or FAILED, if anyone."
    )
    delivery_resent_at: datetime | None
    delivery_provider: DeliveryProvider | None = strawberry.field(
        description="Who the latest delivery attempt went to; null until one starts."
    )
    provider_message_id: str | None = strawberry.field(description="The provider's id for it, once SENT.")
    conversation_id: strawberry.Private[object]

    @strawberry.field(
        description=(
            "True when the built-in sandbox took it (AGENTOPS_SANDBOX_DELIVERY): recorded as sent, but no "
            "customer "
            "received it."
        )
    )
    def sandbox(self) -> bool:
        return self.delivery_provider == DeliveryProvider.SANDBOX

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
            delivery_status=message.delivery_status,
            delivery_attempts=message.delivery_attempts,
            delivered_at=message.delivered_at,
            delivery_error=message.delivery_error,
            delivery_resent_by=message.delivery_resent_by,
            delivery_resent_at=message.delivery_resent_at,
            delivery_provider=message.delivery_provider,
            provider_message_id=message.provider_message_id,
            conversation_id=message.conversation_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        messages = await service.get_messages(message_ids=[parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(message) if message else None for message in messages]


@presents(Conversation)
@strawberry.type(name="Conversation")
class ConversationNode(relay.Node):
    id: relay.NodeID[str]
    channel: Channel
    customer: str = strawberry.field(description="The sender: a phone number or a user id.")
    status: ConversationStatus
    message_count: int
    created_at: datetime
    last_message_at: datetime
    handed_off_at: datetime | None = strawberry.field(description="When a human took over (if HANDED_OFF).")
    handoff_reason: str | None
    synthetic: bool = strawberry.field(
        description=(
            "Part of the demo's backdated history: written into the tables by `agentops seed` / `make up`, "
            "not received "
            "through the ingest path. Never real traffic."
        )
    )

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
        page = Page(
            items=rows, cursors=[encode_position(row.sequence) for row in rows], has_next_page=has_more
        )
        return to_connection(page, MessageNode.from_model)

    @strawberry.field(description="The agent's most recent turns in this thread, newest first.")
    async def runs(
        self, info: Info, first: int | None = 20
    ) -> list[Annotated[AgentRunNode, strawberry.lazy("backend.runs.types")]]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        runs = await info.context.loaders.recent_runs_by_conversation.load((parse_uuid(self.id), size))
        return [as_node(run) for run in runs]

    @strawberry.field(description="Bookings made in this thread, newest first.")
    async def bookings(
        self, info: Info
    ) -> list[Annotated[BookingNode, strawberry.lazy("backend.scheduling.types")]]:
        bookings = await info.context.loaders.bookings_by_conversation.load(parse_uuid(self.id))
        return [as_node(booking) for booking in bookings]

    @strawberry.field(description="Tickets opened from this thread, newest first.")
    async def tickets(
        self, info: Info
    ) -> list[Annotated[TicketNode, strawberry.lazy("backend.tickets.types")]]:
        tickets = await info.context.loaders.tickets_by_conversation.load(parse_uuid(self.id))
        return [as_node(ticket) for ticket in tickets]

    @strawberry.field(description="Guardrail hits in this thread, oldest first (PII redacted).")
    async def violations(
        self, info: Info
    ) -> list[Annotated[GuardrailViolationNode, strawberry.lazy("backend.guardrails.types")]]:
        rows = await info.context.loaders.violations_by_conversation.load(parse_uuid(self.id))
        return [as_node(row) for row in rows]

    @strawberry.field(description="Evaluator scores of this thread's sampled turns, oldest first.")
    async def scores(
        self, info: Info, evaluator: str | None = None
    ) -> list[Annotated[EvalScoreNode, strawberry.lazy("backend.quality.types")]]:
        rows = await info.context.loaders.scores_by_conversation.load(parse_uuid(self.id))
        return [as_node(row) for row in rows if evaluator is None or row.evaluator == evaluator]

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
            handed_off_at=conversation.handed_off_at,
            handoff_reason=conversation.handoff_reason,
            synthetic=conversation.synthetic,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        loader = info.context.loaders.conversation_by_id
        rows = await loader.load_many([parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(row) if row else None for row in rows]
