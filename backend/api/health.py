"""/healthz says the process is alive; /readyz says it can serve (database, Redis, schema current)."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
import structlog
from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import connections
from tortoise.exceptions import BaseORMException

from backend.api.services import AppServices
from backend.db.migrations import pending_migrations

log = structlog.get_logger(__name__)
CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    # No I/O here: liveness must not depend on the database. Live-subscription counts show at a glance
    # whether closed clients left work behind.
    services: AppServices | None = getattr(request.app.state, "services", None)
    live = (
        {
            "eventSubscribers": services.hub.subscriber_count,
            "ingestStatsSubscribers": services.ingest_stats.subscriber_count,
            "ingestStatsProducerRunning": services.ingest_stats.running,
            "liveMetricsSubscribers": services.live_metrics.subscriber_count,
            "liveMetricsProducerRunning": services.live_metrics.running,
            "sharedSubscriptionExecutions": services.shared_streams.executions,
            "sharedSubscriptionMembers": services.shared_streams.members,
        }
        if services
        else {}
    )
    return JSONResponse({"status": "ok", "live": live})


async def _check_database() -> str | None:
    try:
        await asyncio.wait_for(connections.get("default").execute_query("SELECT 1"), CHECK_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, BaseORMException) as error:
        return f"database unreachable: {type(error).__name__}"
    return None


async def _check_redis(services: AppServices) -> str | None:
    try:
        await asyncio.wait_for(services.redis.ping(), CHECK_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, aioredis.RedisError) as error:
        return f"redis unreachable: {type(error).__name__}"
    return None


async def _check_migrations(services: AppServices) -> str | None:
    try:
        pending = await asyncio.wait_for(pending_migrations(services.tortoise_config), CHECK_TIMEOUT_SECONDS)
    except (TimeoutError, OSError, BaseORMException) as error:
        return f"migrations unknown: {type(error).__name__}"
    return f"migrations pending: {', '.join(pending)}" if pending else None


async def readyz(request: Request) -> JSONResponse:
    services: AppServices = request.app.state.services
    database, redis_problem = await asyncio.gather(_check_database(), _check_redis(services))
    checks = {"database": database, "redis": redis_problem}
    checks["migrations"] = await _check_migrations(services) if database is None else "not checked"
    problems = [problem for problem in checks.values() if problem and problem != "not checked"]
    if problems:
        log.warning("readyz.not_ready", problems=problems)
    body = {
        "status": "unavailable" if problems else "ready",
        "checks": {name: (problem or "ok") for name, problem in checks.items()},
        "reasons": problems,
    }
    return JSONResponse(body, status_code=503 if problems else 200)
