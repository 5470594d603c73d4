"""Logs for two readers: JSON lines for machines, readable key-value lines on a terminal; one format per
stream.

The request id rides in a context variable bound by the middleware; jobs bind event, conversation and run
ids with structlog.contextvars, so every line written while handling them carries them. Every logger — ours,
SAQ's, uvicorn's, Tortoise's — goes through the one handler and renderer configured here, and its lines are
re-levelled by backend/telemetry/log_levels.py (per-item lines at DEBUG).
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog
from asgi_correlation_id import correlation_id

from backend.telemetry.log_levels import LevelPolicy, add_record_fields
from backend.telemetry.tracing import add_trace_ids


def _add_request_id(_logger: object, _method: str, event: dict) -> dict:
    # The id backend/api/http_edge.py bound for this request (also returned as X-Request-ID).
    request_id = correlation_id.get()
    if request_id and "request_id" not in event:
        event["request_id"] = request_id
    return event


def wants_json(stream: TextIO, json: bool | None = None) -> bool:
    """JSON unless the stream is a terminal; `json` (AGENTOPS_LOG_JSON), when set, decides instead."""
    if json is not None:
        return json
    isatty = getattr(stream, "isatty", None)
    try:
        return not (isatty is not None and isatty())
    except ValueError:  # a closed stream
        return True


def configure_logging(*, level: str = "INFO", json: bool | None = None, stream: TextIO | None = None) -> None:
    """Route structlog and the standard library (uvicorn, tortoise, saq) through one renderer on one stream.

    `json=None` picks by the stream: JSON when it is not a terminal, key-value lines when it is.
    """
    stream = stream or sys.stderr
    shared = [
        structlog.contextvars.merge_contextvars,
        _add_request_id,
        add_trace_ids,
        add_record_fields,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if wants_json(stream, json):
        renderer = structlog.processors.JSONRenderer()
        exceptions = [structlog.processors.format_exc_info]  # the traceback as one JSON string
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
        exceptions = []  # the console renderer prints the traceback itself, readably
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *exceptions, renderer],
    )
    threshold = logging.getLevelName(level)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(LevelPolicy(threshold))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(threshold)
    # SAQ's records must reach the policy even below the threshold: a sweep's INFO line is raised to WARNING.
    logging.getLogger("saq").setLevel(min(threshold, logging.INFO))
    # Tortoise logs every SQL statement with its parameters at DEBUG: message texts, phone numbers, card
    # numbers before redaction. Never at any level of ours.
    logging.getLogger("tortoise.db_client").setLevel(logging.WARNING)
    # httpx logs every request at INFO: two lines per model-backed turn, each a JSON render on the worker's
    # one core. The turn's own span and run record carry what matters; failures still log at WARNING.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # uvicorn installs its own handlers; let its records flow to ours instead of printing twice.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
