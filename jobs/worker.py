"""The SAQ worker's settings: `agentops worker` (or `saq jobs.worker.settings`) runs them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import httpx
import redis.asyncio as aioredis
import structlog
from saq import CronJob
from tortoise import Tortoise

from backend.agent.setup import build_agent
from backend.channels.delivery.endpoints import build_adapters
from backend.core.faults import FaultFlags
from backend.db.config import tortoise_config
from backend.db.database import ensure_database
from backend.db.migrations import apply_migrations
from backend.events.hub import EventHub
from backend.incidents.notifications import Notifier
from backend.ingest.queueing import make_queue
from backend.quality.budget import TokenBudget
from backend.quality.definitions import online_evaluators
from backend.quality.judge import Judge
from backend.quality.scoring import JudgeRunner
from backend.settings import get_settings
from backend.telemetry.logs import configure_logging
from backend.telemetry.tracing import configure_tracing
from jobs.delivery import deliver_message
from jobs.evals import run_eval_chunk
from jobs.heartbeat import beat_forever, worker_name
from jobs.ingest import process_event, reconcile
from jobs.metrics import after_job, before_job, serve_metrics
from jobs.observability import rollup, send_incident_notification, watch_slos
from jobs.quality import rescore_flagged, score_sampled
from jobs.simulations import finish_simulation, generate_traffic

log = structlog.get_logger(__name__)


async def startup(ctx: dict[str, Any]) -> None:
    config = ctx["tortoise_config"]
    app_settings = ctx["app_settings"]
    await ensure_database(app_settings)
    await Tortoise.init(config=config)
    # The worker may start before any API: it brings the schema up to date under the same lock.
    await apply_migrations(settings=app_settings, config=config)
    ctx["redis"] = aioredis.Redis.from_url(str(app_settings.redis_url), socket_connect_timeout=2)
    ctx["hub"] = EventHub(ctx["redis"])
    ctx["faults"] = FaultFlags(ctx["redis"])
    ctx["queue"] = ctx["worker"].queue
    ctx["notifier"] = Notifier(settings=app_settings, queue=ctx["queue"])
    ctx["agent"] = build_agent(app_settings) if app_settings.agent_enabled else None
    ctx["http"] = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0))
    ctx["adapters"] = build_adapters(app_settings, ctx["http"])
    # Online evaluation: a bad evaluator file stops the worker here, naming the file.
    ctx["evaluators"] = online_evaluators(app_settings.quality_evaluators)
    if any(evaluator.kind == "judge" for evaluator in ctx["evaluators"]):
        ctx["judge"] = JudgeRunner(
            judge=Judge.from_settings(app_settings),
            budget=TokenBudget(ctx["redis"], per_minute=app_settings.quality_judge_tokens_per_minute),
        )
    ctx["heartbeat"] = asyncio.create_task(
        beat_forever(
            redis=ctx["redis"],
            name=ctx["worker_name"],
            interval_seconds=app_settings.worker_heartbeat_seconds,
        )
    )
    ctx["metrics_port"] = serve_metrics(port=app_settings.worker_metrics_port)
    log.info("worker.started", worker=ctx["worker_name"], metrics_port=ctx["metrics_port"])


async def shutdown(ctx: dict[str, Any]) -> None:
    heartbeat = ctx.get("heartbeat")
    if heartbeat is not None:
        heartbeat.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await heartbeat
    if "faults" in ctx:
        await ctx["faults"].close()
    if "redis" in ctx:
        await ctx["redis"].aclose()
    if "http" in ctx:
        await ctx["http"].aclose()
    if "judge" in ctx:
        await ctx["judge"].judge.aclose()
    await Tortoise.close_connections()
    log.info("worker.stopped", worker=ctx["worker_name"])


def settings() -> dict[str, Any]:
    """SAQ settings, built when the worker starts so they read this process's environment."""
    app_settings = get_settings()
    configure_logging(level=app_settings.log_level, json=app_settings.log_json)
    configure_tracing(service_name="agentops-worker", otlp_endpoint=app_settings.otlp_endpoint)
    queue = make_queue(app_settings)
    context = {
        "app_settings": app_settings,
        "tortoise_config": tortoise_config(app_settings),
        "worker_name": worker_name(),
    }

    async def _startup(ctx: dict[str, Any]) -> None:
        ctx.update(context)
        await startup(ctx)

    return {
        "queue": queue,
        "functions": [
            process_event,
            reconcile,
            deliver_message,
            run_eval_chunk,
            rollup,
            watch_slos,
            send_incident_notification,
            finish_simulation,
            generate_traffic,
            score_sampled,
            rescore_flagged,
        ],
        "cron_jobs": [
            CronJob(
                reconcile, cron=f"* * * * * */{app_settings.reconcile_every_seconds}", timeout=60, retries=1
            ),
            CronJob(rollup, cron="* * * * * 5", timeout=120, retries=1),  # each minute, just after it closes
            CronJob(
                watch_slos,
                cron=f"* * * * * */{app_settings.slo_evaluate_every_seconds}",
                timeout=60,
                retries=1,
            ),
            # Online evaluation: the sampled turns each second, in batches; lost hand-overs of flagged turns
            # each minute.
            CronJob(score_sampled, cron="* * * * * *", timeout=60, retries=1),
            CronJob(rescore_flagged, cron="* * * * * 35", timeout=120, retries=1),
        ],
        "concurrency": app_settings.worker_concurrency,
        "startup": _startup,
        "shutdown": shutdown,
        "before_process": before_job,
        "after_process": after_job,
        # A stopping worker finishes what it started before exiting. SAQ waits for its idle loops too, so
        # they must wake often: dequeue and upkeep timers of a few seconds keep an idle stop that quick.
        "shutdown_grace_period_s": 20,
        "dequeue_timeout": 1,
        "timers": {"schedule": 1, "abort": 1, "sweep": 5, "worker_info": 5},
    }
