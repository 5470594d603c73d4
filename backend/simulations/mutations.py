"""startSimulation / stopSimulation (scope `operate`): fault-injection drills started and ended by hand."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate
from backend.simulations import service
from backend.simulations.models import SimulationKind
from backend.simulations.types import SimulationNode


@strawberry.input
class StartSimulationInput:
    kind: SimulationKind
    duration_seconds: int = strawberry.field(description="1 to 3600; the fault lifts by itself at the end.")
    intensity: float = strawberry.field(
        default=1.0, description="0–1: share of passes that fail, or how hard they are slowed."
    )
    tool: str | None = strawberry.field(
        default=None, description="TOOL_OUTAGE only; check_availability by default."
    )
    prompt_version: str | None = strawberry.field(
        default=None,
        description="PROMPT_REGRESSION only: the prompt "
        "version its turns answer with; over-promise by default.",
    )
    traffic_per_second: float = strawberry.field(
        default=0.0, description="Synthetic conversations per second through the real ingest path (0–50)."
    )


@strawberry.input
class StopSimulationInput:
    id: relay.GlobalID


@strawberry.type
class SimulationPayload:
    simulation: SimulationNode


SimulationResult = Annotated[
    SimulationPayload | NotFoundError | ValidationError, strawberry.union("SimulationResult")
]


@strawberry.type
class SimulationMutations:
    @strawberry.mutation(permission_classes=[CanOperate], description="Start a fault-injection drill.")
    async def start_simulation(self, info: Info, input: StartSimulationInput) -> SimulationResult:
        try:
            simulation = await service.start_simulation(
                kind=input.kind,
                duration_seconds=input.duration_seconds,
                intensity=input.intensity,
                target=service.drill_target(
                    kind=input.kind, tool=input.tool, prompt_version=input.prompt_version
                ),
                traffic_per_second=input.traffic_per_second,
                actor=info.context.caller.key_name,
                drills=info.context.services.drills,
            )
        except service.SimulationRefused as refused:
            return ValidationError(field=refused.field, message=str(refused))
        return SimulationPayload(simulation=SimulationNode.from_model(simulation))

    @strawberry.mutation(permission_classes=[CanOperate], description="End a running drill now (idempotent).")
    async def stop_simulation(self, info: Info, input: StopSimulationInput) -> SimulationResult:
        if input.id.type_name != "Simulation":
            raise BadUserInput("'id' is not a Simulation id.", field="id")
        simulation = await service.stop_simulation(
            simulation_id=parse_uuid(input.id.node_id),
            actor=info.context.caller.key_name,
            redis=info.context.services.redis,
            hub=info.context.services.hub,
        )
        if simulation is None:
            return NotFoundError(id=strawberry.ID(str(input.id)), message="No simulation with this id.")
        return SimulationPayload(simulation=SimulationNode.from_model(simulation))
