"""GraphQL types of incidents: an incident with its timeline, notifications, examples and metrics."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node
from backend.graphql.permissions import require_scope
from backend.incidents import service
from backend.incidents.models import Incident, IncidentStatus, NotificationStatus
from backend.observability.series import read_series

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode
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
    async def timeline(self, info: Info) -> list[IncidentEntryView]:
        entries = await info.context.loaders.timeline_by_incident.load(parse_uuid(self.id))
        return [
            IncidentEntryView(kind=e.kind, text=e.text, actor=e.actor, created_at=e.created_at)
            for e in entries
        ]

    @strawberry.field(description="Notifications sent for it (Slack, PagerDuty), oldest first.")
    async def notifications(self, info: Info) -> list[IncidentNotificationView]:
        rows = await info.context.loaders.notifications_by_incident.load(parse_uuid(self.id))
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
    async def example_conversations(
        self, info: Info, first: int = 5
    ) -> list[Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")]]:
        ids = await service.example_conversation_ids(
            incident_id=parse_uuid(self.id), limit=min(max(first, 1), 20)
        )
        found = await info.context.loaders.conversation_by_id.load_many(ids)
        return [as_node(row) for row in found if row is not None]

    @strawberry.field(description="The SLO's metrics around the incident, from 30 minutes before it opened.")
    async def metrics(
        self,
    ) -> list[Annotated[MetricSeries, strawberry.lazy("backend.observability.queries")]]:
        names = service.linked_metrics(self.slo)
        end = (self.resolved_at or datetime.now(UTC)) + timedelta(minutes=10)
        found = await read_series(
            names=list(names), start=self.opened_at - timedelta(minutes=30), end=end, channel="ALL"
        )
        return [as_node(series) for series in found]

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
