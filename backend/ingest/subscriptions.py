"""Live ingest counters."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from backend.graphql.permissions import CanRead
from backend.ingest.types import IngestStats


@strawberry.type
class IngestSubscriptions:
    @strawberry.subscription(permission_classes=[CanRead], description="Ingest counters, every few seconds.")
    async def ingest_stats(self, info: Info) -> AsyncGenerator[IngestStats, None]:
        async for counts in info.context.services.ingest_stats.subscribe():
            yield IngestStats(
                accepted=counts.accepted,
                received=counts.received,
                processed=counts.processed,
                dead=counts.dead,
                queue_depth=counts.queued,
                at=datetime.now(UTC),
            )
