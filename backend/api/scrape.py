"""/metrics: refresh the gauges that come from PostgreSQL and Redis, then answer in the exposition format."""

from __future__ import annotations

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from tortoise.exceptions import BaseORMException

from backend.api.services import AppServices
from backend.channels.delivery.replies import count_by_delivery_status
from backend.incidents.notifications import count_unsent_notifications
from backend.ingest.backlog import open_dead_letters, queue_depth
from backend.ingest.stats import read_counts
from backend.telemetry.metrics import (
    DEAD_LETTERS,
    EVENTS_BY_STATUS,
    NOTIFICATIONS_BY_STATUS,
    QUEUE_DEPTH,
    REPLIES_BY_DELIVERY_STATUS,
)

log = structlog.get_logger(__name__)


async def _refresh(services: AppServices) -> None:
    try:
        counts = await read_counts(services.ingest.queue)
        for status, count in (
            ("RECEIVED", counts.received),
            ("PROCESSED", counts.processed),
            ("DEAD", counts.dead),
        ):
            EVENTS_BY_STATUS.labels(status).set(count)
        DEAD_LETTERS.set(await open_dead_letters())
        for status, count in (await count_by_delivery_status()).items():
            REPLIES_BY_DELIVERY_STATUS.labels(status.value).set(count)
        for status, count in (await count_unsent_notifications()).items():
            NOTIFICATIONS_BY_STATUS.labels(status.value).set(count)
        depth = None if counts.queued < 0 else counts.queued
    except (BaseORMException, OSError) as error:
        log.warning("metrics.database_unavailable", error=str(error))
        depth = await queue_depth(services.ingest.queue)  # Redis may still answer
    if depth is None:
        log.warning("metrics.redis_unavailable")
    else:
        QUEUE_DEPTH.set(depth)


async def metrics_endpoint(request: Request) -> Response:
    await _refresh(request.app.state.services)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
