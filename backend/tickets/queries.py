"""Queries over tickets."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.tickets import service as ticket_service
from backend.tickets.models import TicketPriority, TicketStatus
from backend.tickets.types import TicketNode


@strawberry.input(description="Narrow the tickets; every field is optional and they combine with AND.")
class TicketFilter:
    status: TicketStatus | None = None
    priority: TicketPriority | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def criteria(self) -> ticket_service.TicketCriteria:
        check_range(
            self.created_after, self.created_before, start_field="createdAfter", end_field="createdBefore"
        )
        return ticket_service.TicketCriteria(
            status=self.status,
            priority=self.priority,
            created_after=self.created_after,
            created_before=self.created_before,
        )


@strawberry.type
class TicketQueries:
    @strawberry.field(permission_classes=[CanRead], description="Tickets, newest first.")
    async def tickets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: TicketFilter | None = None,
    ) -> relay.Connection[TicketNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else ticket_service.TicketCriteria()
        page = await ticket_service.page_tickets(criteria=criteria, first=size, after=after)
        return to_connection(page, TicketNode.from_model)
