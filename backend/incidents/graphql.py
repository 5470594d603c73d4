"""Incidents in GraphQL: list and detail with timeline, operator actions (scope `operate`), live changes."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.conversations.types import ConversationNode
from backend.core.scopes import Scope
from backend.core.topics import INCIDENT_CHANGED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanOperate, CanRead, require_scope
from backend.incidents import service
from backend.incidents.models import Incident, IncidentStatus, NotificationStatus
from backend.observability.series import read_series
from backend.observability.types import MetricSeries

strawberry.enum(IncidentStatus)
strawberry.enum(NotificationStatus)


@strawberry.type
class IncidentEntryView:
    kind: str
    text: str
    actor: str | None
    created_at: datetime


@strawberry.type(name="IncidentNotification", description="One notification of a change, to one target.")
class IncidentNotificationView:
    target: str
    action: str
    status: NotificationStatus
    attempts: int
    response_status: int | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@strawberry.type(name="Incident")
class IncidentNode(relay.Node):
    id: relay.NodeID[str]
    slo: str
    severity: str
    status: IncidentStatus
    summary: str
    peak_burn_rate: float
    opened_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    resolved_at: datetime | None
    synthetic: bool = strawberry.field(
        description=(
            "Opened over the demo's backdated history by `agentops seed` / `make up` (a replay of the SLO "
            "watch), "
            "not by real traffic."
        )
    )

    @strawberry.field(description="What happened, oldest first.")
    async def timeline(self) -> list[IncidentEntryView]:
        entries = await service.timeline(incident_id=parse_uuid(self.id))
        return [
            IncidentEntryView(kind=e.kind, text=e.text, actor=e.actor, created_at=e.created_at)
            for e in entries
        ]

    @strawberry.field(description="Notifications sent for it (Slack, PagerDuty), oldest first.")
    async def notifications(self) -> list[IncidentNotificationView]:
        rows = await service.notifications_of(incident_id=parse_uuid(self.id))
        return [
            IncidentNotificationView(
                target=r.target,
                action=r.action,
                status=r.status,
                attempts=r.attempts,
                response_status=r.response_status,
                last_error=r.last_error,
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r in rows
        ]

    @strawberry.field(
        description="Conversations whose turns burned this SLO while it was open (newest first)."
    )
    async def example_conversations(self, info: Info, first: int = 5) -> list[ConversationNode]:
        ids = await service.example_conversation_ids(
            incident_id=parse_uuid(self.id), limit=min(max(first, 1), 20)
        )
        found = await info.context.loaders.conversation_by_id.load_many(ids)
        return [ConversationNode.from_model(row) for row in found if row is not None]

    @strawberry.field(description="The SLO's metrics around the incident, from 30 minutes before it opened.")
    async def metrics(self) -> list[MetricSeries]:
        names = service.linked_metrics(self.slo)
        end = (self.resolved_at or datetime.now(UTC)) + timedelta(minutes=10)
        found = await read_series(
            names=list(names), start=self.opened_at - timedelta(minutes=30), end=end, channel="ALL"
        )
        return [MetricSeries.from_series(series) for series in found]

    @classmethod
    def from_model(cls, row: Incident) -> IncidentNode:
        return cls(
            id=str(row.id),
            slo=row.slo,
            severity=row.severity,
            status=row.status,
            summary=row.summary,
            peak_burn_rate=row.peak_burn_rate,
            opened_at=row.opened_at,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=row.acknowledged_by,
            resolved_at=row.resolved_at,
            synthetic=row.synthetic,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        incidents = await service.get_incidents(incident_ids=[parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(incident) if incident else None for incident in incidents]


def _incident_id(value: relay.GlobalID):
    if value.type_name != "Incident":
        raise BadUserInput("'id' is not an Incident id.", field="id")
    return parse_uuid(value.node_id)


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


def _answer(incident: Incident | None, value: relay.GlobalID) -> IncidentPayload | NotFoundError:
    if incident is None:
        return NotFoundError(id=strawberry.ID(str(value)), message="No incident with this id.")
    return IncidentPayload(incident=IncidentNode.from_model(incident))


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


@strawberry.type
class IncidentSubscriptions:
    @strawberry.subscription(permission_classes=[CanRead], description="Incidents as they open and change.")
    async def incident_alerts(self, info: Info) -> AsyncGenerator[IncidentNode, None]:
        async for event in info.context.services.hub.subscribe(INCIDENT_CHANGED):
            incident_id = parse_uuid(event["incidentId"])
            incident = await once_per_event(
                event,
                "incident",
                lambda incident_id=incident_id: service.get_incident(incident_id=incident_id),
            )
            if incident is not None:
                # The event's loaders, not the connection's: exampleConversations must not come from an old
                # cache.
                info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
                yield IncidentNode.from_model(incident)
