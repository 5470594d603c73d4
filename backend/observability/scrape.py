"""/metrics: refresh the gauges that come from PostgreSQL and Redis, then answer in the exposition format."""

from __future__ import annotations

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from tortoise import connections
from tortoise.exceptions import BaseORMException

from backend.app_services import AppServices
from backend.observability.backlog import open_dead_letters, queue_depth
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
        DEAD_LETTERS.set(await open_dead_letters())
    except (BaseORMException, OSError) as error:
        log.warning("metrics.database_unavailable", error=str(error))
    depth = await queue_depth(services.ingest.queue)
    if depth is None:
        log.warning("metrics.redis_unavailable")
    else:
        QUEUE_DEPTH.set(depth)


async def metrics_endpoint(request: Request) -> Response:
    await _refresh(request.app.state.services)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
