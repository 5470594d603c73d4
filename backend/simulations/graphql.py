"""Drills in GraphQL: startSimulation / stopSimulation (scope `operate`), the record of past drills, and
simulationChanged as they start and end."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.core.topics import SIMULATION_CHANGED
from backend.db.lookup import rows_by_id
from backend.events.hub import once_per_event
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanOperate, CanRead, require_scope
from backend.simulations import service
from backend.simulations.models import Simulation, SimulationKind, SimulationStatus

strawberry.enum(SimulationKind)
strawberry.enum(SimulationStatus)


@strawberry.type(description="What a drill caused, counted from the records when it ended.")
class SimulationEffects:
    turns: int
    failed_turns: int
    handed_off_turns: int
    latency_p95_ms: float | None
    tool_errors: int
    failed_deliveries: int
    events_sent: int
    incidents_opened: list[strawberry.ID] = strawberry.field(
        description="Global ids of the incidents it opened."
    )
    scored_turns: int = strawberry.field(
        description="Turns of the drill's time that evaluators scored online."
    )
    low_scored_turns: int = strawberry.field(
        description="Of those, turns an evaluator failed (e.g. an unbacked claim under a PROMPT_REGRESSION)."
    )


@strawberry.type(name="Simulation")
class SimulationNode(relay.Node):
    id: relay.NodeID[str]
    kind: SimulationKind
    status: SimulationStatus
    intensity: float
    duration_seconds: int
    tool: str | None
    prompt_version: str | None = strawberry.field(
        description="PROMPT_REGRESSION only: the version its turns use."
    )
    traffic_per_second: float
    started_by: str
    started_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    effects: SimulationEffects | None = strawberry.field(description="Null while the drill runs.")

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        ids = [parse_uuid(node_id) for node_id in node_ids]
        rows = await rows_by_id(Simulation.all(), ids)
        return [cls.from_model(row) if row else None for row in rows]

    @classmethod
    def from_model(cls, row: Simulation) -> SimulationNode:
        effects = None
        if row.effects:
            found = row.effects
            effects = SimulationEffects(
                turns=found["turns"],
                failed_turns=found["failedTurns"],
                handed_off_turns=found["handedOffTurns"],
                latency_p95_ms=found["latencyP95Ms"],
                tool_errors=found["toolErrors"],
                failed_deliveries=found["failedDeliveries"],
                events_sent=found["eventsSent"],
                incidents_opened=[
                    strawberry.ID(str(relay.GlobalID("Incident", incident)))
                    for incident in found["incidentsOpened"]
                ],
                scored_turns=found.get("scoredTurns", 0),
                low_scored_turns=found.get("lowScoredTurns", 0),
            )
        return cls(
            id=str(row.id),
            kind=row.kind,
            status=row.status,
            intensity=row.intensity,
            duration_seconds=row.duration_seconds,
            tool=row.target if row.kind == SimulationKind.TOOL_OUTAGE else None,
            prompt_version=row.target if row.kind == SimulationKind.PROMPT_REGRESSION else None,
            traffic_per_second=row.traffic_per_second,
            started_by=row.started_by,
            started_at=row.started_at,
            ends_at=row.ends_at,
            ended_at=row.ended_at,
            effects=effects,
        )


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
