"""GraphQL types of drills: a drill and what it caused."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import require_scope
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
        rows = await info.context.loaders.simulation_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
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
