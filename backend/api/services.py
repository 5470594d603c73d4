"""The long-lived clients one API process shares across requests, opened and closed by the lifespan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from backend.auth.service import ApiKeyAuthenticator
from backend.events.feed import SharedFeed
from backend.events.hub import EventHub
from backend.graphql.shared_streams import SharedStreams
from backend.incidents.notifications import Notifier
from backend.ingest.queueing import make_queue
from backend.ingest.rate_limit import RateLimiter
from backend.ingest.service import IngestContext
from backend.ingest.stats import IngestCounts, ingest_stats_feed
from backend.observability.live import LiveValues, live_metrics_feed
from backend.settings import Settings
from backend.simulations.service import DrillContext


@dataclass
class AppServices:
    settings: Settings
    tortoise_config: dict[str, Any]
    redis: aioredis.Redis
    hub: EventHub
    authenticator: ApiKeyAuthenticator
    ingest: IngestContext
    ingest_stats: SharedFeed[IngestCounts]
    live_metrics: SharedFeed[LiveValues]
    notifier: Notifier
    drills: DrillContext
    shared_streams: SharedStreams

    @classmethod
    def open(cls, *, settings: Settings, tortoise_config: dict[str, Any]) -> AppServices:
        """Create the clients (connections are made lazily, on first use)."""
        redis = aioredis.Redis.from_url(
            str(settings.redis_url), socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
        )
        queue = make_queue(settings)
        hub = EventHub(redis)
        return cls(
            settings=settings,
            tortoise_config=tortoise_config,
            redis=redis,
            hub=hub,
            authenticator=ApiKeyAuthenticator(ttl_seconds=settings.api_key_cache_seconds),
            ingest=IngestContext(settings=settings, queue=queue, rate_limiter=RateLimiter(redis)),
            ingest_stats=ingest_stats_feed(
                queue=queue, interval_seconds=settings.ingest_stats_interval_seconds
            ),
            live_metrics=live_metrics_feed(queue=queue, hub=hub, settings=settings),
            notifier=Notifier(settings=settings, queue=queue),
            drills=DrillContext(settings=settings, redis=redis, queue=queue, hub=hub),
            shared_streams=SharedStreams(),
        )

    async def close(self) -> None:
        """Close what open() created."""
        await self.ingest.close()  # answers whatever still waits for its group commit
        await self.ingest_stats.close()
        await self.live_metrics.close()
        await self.shared_streams.close()
        await self.hub.close()
        await self.ingest.queue.disconnect()
        await self.redis.aclose()
