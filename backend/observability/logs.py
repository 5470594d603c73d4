"""Structured JSON logs: request id, trace and span ids, and the conversation and run a line is about.

The request id rides in a context variable bound by the middleware; jobs bind event, conversation and run
ids with structlog.contextvars, so every line written while handling them carries them.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog
from asgi_correlation_id import correlation_id

from backend.observability.tracing import add_trace_ids


def _add_request_id(_logger: object, _method: str, event: dict) -> dict:
    # The id the CorrelationIdMiddleware bound for this request (also returned as X-Request-ID).
    request_id = correlation_id.get()
    if request_id and "request_id" not in event:
        event["request_id"] = request_id
    return event


def configure_logging(*, level: str = "INFO", json: bool = True, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (uvicorn, tortoise, saq) through one JSON renderer."""
    shared = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Tortoise logs every SQL statement with its parameters at DEBUG: message texts, phone numbers, card
    # numbers before redaction. Never at any level of ours.
    logging.getLogger("tortoise.db_client").setLevel(logging.WARNING)
    # httpx logs every request at INFO: two lines per model-backed turn, each a JSON render on the worker's one
    # core. The turn's own span and run record carry what matters; failures still log at WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # uvicorn installs its own handlers; let its records flow to ours instead of printing twice.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
