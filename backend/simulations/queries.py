"""The record of past drills, newest first."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.simulations import service
from backend.simulations.models import SimulationStatus
from backend.simulations.types import SimulationNode


@strawberry.type
class SimulationQueries:
    @strawberry.field(permission_classes=[CanRead], description="Drills, newest first.")
    async def simulations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: SimulationStatus | None = None,
    ) -> relay.Connection[SimulationNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        return to_connection(
            await service.page_simulations(status=status, first=size, after=after), SimulationNode.from_model
        )
