"""The worker's Prometheus side: its own /metrics port, and a hook that times every job."""

from __future__ import annotations

import time
from typing import Any

import structlog
from prometheus_client import start_http_server

from backend.telemetry.metrics import JOB_SECONDS, JOBS

log = structlog.get_logger(__name__)
PORT_ATTEMPTS = 16


def serve_metrics(*, port: int) -> int | None:
    """Start the metrics HTTP server on `port` or the next free one; the port used, None when off."""
    if port == 0:
        return None
    for candidate in range(port, port + PORT_ATTEMPTS):
        try:
            start_http_server(candidate, addr="127.0.0.1")
        except OSError:
            continue  # another worker on this host has it
        log.info("worker.metrics_serving", port=candidate)
        return candidate
    log.warning("worker.metrics_no_port", first=port, tried=PORT_ATTEMPTS)
    return None


async def before_job(ctx: dict[str, Any]) -> None:
    ctx["job_started"] = time.perf_counter()


async def after_job(ctx: dict[str, Any]) -> None:
    job = ctx["job"]
    outcome = getattr(job.status, "value", str(job.status)) or "unknown"
    JOBS.labels(job.function, outcome).inc()
    if "job_started" in ctx:
        JOB_SECONDS.labels(job.function).observe(time.perf_counter() - ctx["job_started"])
