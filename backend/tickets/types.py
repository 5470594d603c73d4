"""GraphQL types of tickets."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node, presents
from backend.graphql.permissions import require_scope
from backend.tickets.models import Ticket, TicketPriority, TicketStatus

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode

strawberry.enum(TicketPriority)
strawberry.enum(TicketStatus, description="OPEN: new; PENDING: waiting on someone; RESOLVED: done.")


@presents(Ticket)
@strawberry.type(name="Ticket", description="A problem report for the team, opened from a conversation.")
class TicketNode(relay.Node):
    id: relay.NodeID[str]
    subject: str
    description: str
    priority: TicketPriority
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    conversation_id: strawberry.Private[object | None]

    @strawberry.field(description="The conversation it was opened from (null when opened elsewhere).")
    async def conversation(
        self, info: Info
    ) -> Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")] | None:
        if self.conversation_id is None:
            return None
        row = await info.context.loaders.conversation_by_id.load(self.conversation_id)
        return as_node(row)

    @classmethod
    def from_model(cls, ticket: Ticket) -> TicketNode:
        return cls(
            id=str(ticket.id),
            subject=ticket.subject,
            description=ticket.description,
            priority=ticket.priority,
            status=ticket.status,
            created_at=ticket.created_at,
            updated_at=ticket.updated_at,
            conversation_id=ticket.conversation_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        tickets = await info.context.loaders.ticket_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
        return [cls.from_model(ticket) if ticket else None for ticket in tickets]
