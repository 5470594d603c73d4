"""An operator's actions on incidents (scope `operate`): acknowledge, resolve, add a note."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate
from backend.incidents import service
from backend.incidents.models import Incident
from backend.incidents.types import IncidentNode


@strawberry.input
class IncidentActionInput:
    id: relay.GlobalID
    note: str | None = None


@strawberry.type
class IncidentPayload:
    incident: IncidentNode


IncidentResult = Annotated[
    IncidentPayload | NotFoundError | ValidationError, strawberry.union("IncidentResult")
]


def _incident_id(value: relay.GlobalID) -> uuid.UUID:
    if value.type_name != "Incident":
        raise BadUserInput("'id' is not an Incident id.", field="id")
    return parse_uuid(value.node_id)


def _answer(incident: Incident | None, value: relay.GlobalID) -> IncidentPayload | NotFoundError:
    if incident is None:
        return NotFoundError(id=strawberry.ID(str(value)), message="No incident with this id.")
    return IncidentPayload(incident=IncidentNode.from_model(incident))


@strawberry.type
class IncidentMutations:
    @strawberry.mutation(
        permission_classes=[CanOperate], description="Take an OPEN incident; records who and when."
    )
    async def acknowledge_incident(self, info: Info, input: IncidentActionInput) -> IncidentResult:
        incident = await service.acknowledge_incident(
            incident_id=_incident_id(input.id),
            actor=info.context.caller.key_name,
            hub=info.context.services.hub,
            notifier=info.context.services.notifier,
        )
        return _answer(incident, input.id)

    @strawberry.mutation(permission_classes=[CanOperate], description="Resolve by hand (idempotent).")
    async def resolve_incident(self, info: Info, input: IncidentActionInput) -> IncidentResult:
        incident = await service.resolve_incident(
            incident_id=_incident_id(input.id),
            actor=info.context.caller.key_name,
            reason=input.note or "Resolved by hand.",
            hub=info.context.services.hub,
            notifier=info.context.services.notifier,
        )
        return _answer(incident, input.id)

    @strawberry.mutation(permission_classes=[CanOperate], description="Add a note to the timeline.")
    async def add_incident_note(self, info: Info, input: IncidentActionInput) -> IncidentResult:
        text = (input.note or "").strip()
        if not 1 <= len(text) <= 2000:
            return ValidationError(field="note", message="must be 1 to 2000 characters")
        incident = await service.add_note(
            incident_id=_incident_id(input.id),
            actor=info.context.caller.key_name,
            text=text,
            hub=info.context.services.hub,
        )
        return _answer(incident, input.id)
