"""Queries over incidents."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.incidents import service
from backend.incidents.models import IncidentStatus
from backend.incidents.types import IncidentNode


@strawberry.type
class IncidentQueries:
    @strawberry.field(permission_classes=[CanRead], description="Incidents, newest first.")
    async def incidents(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: IncidentStatus | None = None,
    ) -> relay.Connection[IncidentNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        page = await service.page_incidents(status=status, first=size, after=after)
        return to_connection(page, IncidentNode.from_model)
