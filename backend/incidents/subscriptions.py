"""Incidents as they open and change, live."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from backend.core.topics import INCIDENT_CHANGED
from backend.events.hub import once_per_event, shared_per_event
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead
from backend.incidents import service
from backend.incidents.types import IncidentNode


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
                # The event's loaders, not the connection's: exampleConversations, the timeline and the
                # notifications must not come from an old cache.
                info.context.loaders = shared_per_event(event, "loaders", info.context.fresh_loaders)
                yield IncidentNode.from_model(incident)
