"""The dashboard process logs like every other process of the product (backend/observability/logs.py).

Its own loggers and the server's go through the same renderer: key-value lines on a terminal, JSON elsewhere,
AGENTOPS_LOG_LEVEL and AGENTOPS_LOG_JSON as `agentops dashboard` passed them on. Reflex's own lines are set by
the `--loglevel` / `--json` flags that command gives `reflex run`.
"""

from __future__ import annotations

import os

from backend.observability.logs import configure_logging

_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def configure_dashboard_logging() -> None:
    """Configure the root logger from the environment (an unknown value falls back to the default)."""
    level = os.environ.get("AGENTOPS_LOG_LEVEL", "INFO").upper()
    json = os.environ.get("AGENTOPS_LOG_JSON", "").strip().lower()
    configure_logging(
        level=level if level in _LEVELS else "INFO",
        json={"true": True, "1": True, "false": False, "0": False}.get(json),
    )
