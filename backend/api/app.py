"""The Starlette application: /graphql (HTTP and websocket, GraphiQL's files under /graphql/assets/), /healthz
and /readyz."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from backend.api.graphiql_files import graphiql_asset
from backend.api.health import healthz, readyz
from backend.api.http_edge import HttpEdgeMiddleware
from backend.api.schema import get_schema
from backend.api.scrape import metrics_endpoint
from backend.api.services import AppServices
from backend.api.view import AgentOpsGraphQL
from backend.db.config import tortoise_config
from backend.db.database import ensure_database
from backend.db.migrations import apply_migrations
from backend.ingest.webhooks.events import events_webhook
from backend.ingest.webhooks.twilio_sms import twilio_sms_webhook
from backend.settings import Settings, get_settings
from backend.telemetry.logs import configure_logging
from backend.telemetry.tracing import configure_tracing

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the API application for these settings (the process's own settings by default)."""
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    configure_tracing(service_name="agentops-api", otlp_endpoint=settings.otlp_endpoint)
    config = tortoise_config(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await ensure_database(settings)
        async with RegisterTortoise(app, config=config):
            await apply_migrations(settings=settings, config=config)
            app.state.services = AppServices.open(settings=settings, tortoise_config=config)
            # What start-up built (schema, models, settings, imported modules) lives as long as the process:
            # frozen, the collector stops walking it on every full collection — a pause of tens of ms under
            # load.
            gc.collect()
            gc.freeze()
            log.info("api.started", host=settings.api_host, port=settings.api_port)
            try:
                yield
            finally:
                await app.state.services.close()

    graphql = AgentOpsGraphQL(
        get_schema(),
        graphql_ide="graphiql" if settings.graphiql else None,
        keep_alive=True,
        keep_alive_interval=15,
    )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        *([Route("/graphql/assets/{name:path}", graphiql_asset)] if settings.graphiql else []),
        Route("/webhooks/twilio/sms", twilio_sms_webhook, methods=["POST"]),
        Route("/webhooks/events", events_webhook, methods=["POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
    ]
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        # Request id, body cap, hang-ups and request metrics in one layer (see http_edge.py for why one).
        middleware=[Middleware(HttpEdgeMiddleware, max_bytes=settings.max_request_bytes)],
    )
