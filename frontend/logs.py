"""The dashboard process logs in the product's two formats: key-value lines on a terminal, JSON elsewhere.

The dashboard is a client of the API and imports nothing from `backend/` (an import-linter contract), so it
sets up structlog itself, the same way the backend's processes do (backend/telemetry/logs.py), with what a
dashboard needs: no request or trace ids, no job re-levelling. AGENTOPS_LOG_LEVEL and AGENTOPS_LOG_JSON come
from `agentops dashboard`; Reflex's own lines follow the `--loglevel` / `--json` flags it gives `reflex run`.
"""

from __future__ import annotations

import logging
import os
import sys

import structlog

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def _wants_json(setting: str) -> bool:
    """AGENTOPS_LOG_JSON when set; otherwise JSON unless stderr is a terminal."""
    chosen = {"true": True, "1": True, "false": False, "0": False}.get(setting.strip().lower())
    if chosen is not None:
        return chosen
    try:
        return not sys.stderr.isatty()
    except ValueError:  # a closed stream
        return True


def configure_dashboard_logging() -> None:
    """Route structlog and the standard library through one renderer on stderr, at the configured level (an
    unknown value falls back to INFO)."""
    level = os.environ.get("AGENTOPS_LOG_LEVEL", "INFO").upper()
    threshold = logging.getLevelName(level if level in _LEVELS else "INFO")
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if _wants_json(os.environ.get("AGENTOPS_LOG_JSON", "")):
        renderer, exceptions = structlog.processors.JSONRenderer(), [structlog.processors.format_exc_info]
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
        exceptions = []
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *exceptions, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(threshold)
    # The server's own handlers would print its lines twice: let them flow to ours instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
