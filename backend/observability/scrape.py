"""/metrics: refresh the gauges that come from PostgreSQL and Redis, then answer in the exposition format."""

from __future__ import annotations

import redis.asyncio as aioredis
import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections
from tortoise.exceptions import BaseORMException

from backend.app_services import AppServices
from backend.observability.metrics import DEAD_LETTERS, EVENTS_BY_STATUS, QUEUE_DEPTH

log = structlog.get_logger(__name__)


async def _refresh(services: AppServices) -> None:
    try:
        rows = await connections.get("default").execute_query_dict(
            "SELECT status, count(*) AS n FROM ingest_events GROUP BY status"
        )
        counts = {row["status"]: row["n"] for row in rows}
        for status in ("RECEIVED", "PROCESSED", "DEAD"):
            EVENTS_BY_STATUS.labels(status).set(counts.get(status, 0))
        dead = await connections.get("default").execute_query_dict(
            "SELECT count(*) AS n FROM dead_letters d JOIN ingest_events e ON e.id = d.event_id WHERE e.status = 'DEAD'"
        )
        DEAD_LETTERS.set(dead[0]["n"])
    except (BaseORMException, OSError) as error:
        log.warning("metrics.database_unavailable", error=str(error))
    try:
        QUEUE_DEPTH.set(await services.ingest.queue.count("queued"))
    except (aioredis.RedisError, OSError) as error:
        log.warning("metrics.redis_unavailable", error=str(error))


async def metrics_endpoint(request: Request) -> Response:
    await _refresh(request.app.state.services)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
