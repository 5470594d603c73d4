"""Queries over accepted events and dead letters."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.enums import Channel
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.time_range import check_range
from backend.ingest import dead_letters, service
from backend.ingest.models import IngestStatus
from backend.ingest.types import DeadLetterNode, IngestEventNode


@strawberry.input(description="Narrow the accepted events; fields combine with AND.")
class IngestEventFilter:
    status: IngestStatus | None = None
    channel: Channel | None = None
    received_after: datetime | None = None
    received_before: datetime | None = None

    def criteria(self) -> service.IngestEventCriteria:
        check_range(
            self.received_after, self.received_before, start_field="receivedAfter", end_field="receivedBefore"
        )
        return service.IngestEventCriteria(
            status=self.status,
            channel=self.channel,
            received_after=self.received_after,
            received_before=self.received_before,
        )


@strawberry.input(description="Narrow the dead letters; fields combine with AND.")
class DeadLetterFilter:
    channel: Channel | None = None
    replayed: bool | None = strawberry.field(
        default=None, description="true: replayed since; false: still dead."
    )
    dead_after: datetime | None = None
    dead_before: datetime | None = None

    def criteria(self) -> dead_letters.DeadLetterCriteria:
        check_range(self.dead_after, self.dead_before, start_field="deadAfter", end_field="deadBefore")
        return dead_letters.DeadLetterCriteria(
            channel=self.channel,
            replayed=self.replayed,
            dead_after=self.dead_after,
            dead_before=self.dead_before,
        )


@strawberry.type
class IngestQueries:
    @strawberry.field(permission_classes=[CanRead], description="Accepted events, newest first.")
    async def ingest_events(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: IngestEventFilter | None = None,
    ) -> relay.Connection[IngestEventNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else service.IngestEventCriteria()
        page = await service.page_ingest_events(criteria=criteria, first=size, after=after)
        return to_connection(page, IngestEventNode.from_model)

    @strawberry.field(
        permission_classes=[CanRead], description="Events that failed every attempt, newest first."
    )
    async def dead_letters(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: DeadLetterFilter | None = None,
    ) -> relay.Connection[DeadLetterNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else dead_letters.DeadLetterCriteria()
        page = await dead_letters.page_dead_letters(criteria=criteria, first=size, after=after)
        return to_connection(page, DeadLetterNode.from_model)
