"""SAQ settings for bench/agent.py's no-op baseline: the product worker's shape, a job that does nothing.

    AGENTOPS_REDIS_URL=redis://127.0.0.1:6379/14 python -m saq bench.noop_worker.settings

Same Redis (AGENTOPS_REDIS_URL), same concurrency (AGENTOPS_WORKER_CONCURRENCY), same dequeue timeout and
upkeep timers as jobs/worker.py, on a queue of its own (`bench-noop`) so that a product worker never takes
these jobs. No database, no startup work: what a job costs here is SAQ's own dequeue/update/finish.
"""

from __future__ import annotations

from typing import Any

from saq import Queue

from backend.settings import get_settings

QUEUE_NAME = "bench-noop"


async def noop(ctx: dict[str, Any]) -> None:
    return None


def make_queue() -> Queue:
    """The no-op queue on the configured Redis (the bench points AGENTOPS_REDIS_URL at its own index)."""
    return Queue.from_url(str(get_settings().redis_url), name=QUEUE_NAME)


def settings() -> dict[str, Any]:
    """SAQ settings, built when the worker starts so they read this process's environment."""
    return {
        "queue": make_queue(),
        "functions": [noop],
        "concurrency": get_settings().worker_concurrency,
        # As in jobs/worker.py: the baseline differs from the product worker only by what its job does.
        "shutdown_grace_period_s": 20,
        "dequeue_timeout": 1,
        "timers": {"schedule": 1, "abort": 1, "sweep": 5, "worker_info": 5},
    }
