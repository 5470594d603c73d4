"""simulationChanged: each drill as it starts and as it ends."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from backend.core.topics import SIMULATION_CHANGED
from backend.events.hub import once_per_event
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead
from backend.simulations import service
from backend.simulations.types import SimulationNode


@strawberry.type
class SimulationSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Each drill as it starts and as it ends (stopped or finished, with its effects).",
    )
    async def simulation_changed(self, info: Info) -> AsyncGenerator[SimulationNode, None]:
        async for event in info.context.services.hub.subscribe(SIMULATION_CHANGED):
            simulation_id = parse_uuid(event["simulationId"])
            # The event says which drill changed; the database says what it is now, read once per event for
            # every subscriber of this process.
            simulation = await once_per_event(
                event,
                "simulation",
                lambda simulation_id=simulation_id: service.get_simulation(simulation_id=simulation_id),
            )
            if simulation is not None:
                yield SimulationNode.from_model(simulation)
