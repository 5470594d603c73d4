"""Starting, stopping and finishing drills; what a drill caused is counted from the real records when it ends.

A drill is a fault flag (backend.core.faults) that expires by itself at the drill's end, a scheduled job that
records the end, and — when asked — a traffic job that sends synthetic conversations through the real
ingest path. Nothing in the metrics is faked: failures come from the code paths that read the flags.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
import structlog
from saq import Queue
from tortoise import connections

from backend.agent.prompts import PromptNotFound, available_versions
from backend.agent.tools.registry import TOOLS
from backend.core import faults
from backend.core.topics import SIMULATION_CHANGED
from backend.db.keyset import Page, newest_first
from backend.events.hub import EventHub, SilentHub
from backend.jobqueue import JobOptions, enqueue_keyed
from backend.settings import Settings
from backend.simulations.models import Simulation, SimulationKind, SimulationStatus

log = structlog.get_logger(__name__)
FINISH_SIMULATION_JOB = "finish_simulation"
GENERATE_TRAFFIC_JOB = "generate_traffic"
# A lost end job is covered by finish_overdue_simulations, a lost generator by ensure_traffic (both on cron).
_FINISH = JobOptions(
    function=FINISH_SIMULATION_JOB, retries=3, timeout=60, retry_delay=1.0, retry_backoff=0.0
)
MAX_DURATION_SECONDS = 3600
MAX_TRAFFIC_PER_SECOND = 50.0
DEFAULT_OUTAGE_TOOL = "check_availability"  # the tool nearly every booking conversation calls first
DEFAULT_REGRESSED_PROMPT = "over-promise"  # says a booking or cancellation is done before any tool did it
TARGETED = {SimulationKind.TOOL_OUTAGE: "tool", SimulationKind.PROMPT_REGRESSION: "promptVersion"}
# Published after a drill starts or ends ({"simulationId", "change"}), so live views follow drills.


class SimulationRefused(ValueError):
    """The request cannot start a drill; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class DrillContext:
    """What starting or stopping a drill needs from the running process."""

    settings: Settings
    redis: aioredis.Redis
    queue: Queue
    hub: EventHub | SilentHub


def fault_point(simulation: Simulation) -> str:
    """Where a drill's fault is set."""
    return {
        SimulationKind.TOOL_OUTAGE: faults.tool_point(simulation.target or DEFAULT_OUTAGE_TOOL),
        SimulationKind.POLICY_ERROR: faults.POLICY,
        SimulationKind.DELIVERY_FAILURE: faults.DELIVERY,
        SimulationKind.LATENCY_SPIKE: faults.POLICY_DELAY,
        SimulationKind.QUEUE_BACKLOG: faults.PROCESS_DELAY,
        SimulationKind.PROMPT_REGRESSION: faults.PROMPT,
    }[simulation.kind]


def fault_params(simulation: Simulation, settings: Settings) -> dict:
    """The flag: failing kinds fail `intensity` of the passes; slowing kinds slow every pass by intensity ×
    max; a prompt regression answers `intensity` of the turns with its prompt version."""
    params: dict = {"message": f"simulation {simulation.id} ({simulation.kind.value})"}
    if simulation.kind == SimulationKind.PROMPT_REGRESSION:
        params.update(probability=simulation.intensity, value=simulation.target or DEFAULT_REGRESSED_PROMPT)
    elif simulation.kind == SimulationKind.LATENCY_SPIKE:
        params["delay_ms"] = simulation.intensity * settings.simulation_max_policy_delay_ms
    elif simulation.kind == SimulationKind.QUEUE_BACKLOG:
        params["delay_ms"] = simulation.intensity * settings.simulation_max_job_delay_ms
    else:
        params["probability"] = simulation.intensity
    return params


def drill_target(*, kind: SimulationKind, tool: str | None, prompt_version: str | None) -> str | None:
    """What the drill aims at: a TOOL_OUTAGE's tool or a PROMPT_REGRESSION's prompt version (each only
    there)."""
    if tool is not None and kind != SimulationKind.TOOL_OUTAGE:
        raise SimulationRefused("tool", "only a TOOL_OUTAGE takes a tool")
    if prompt_version is not None and kind != SimulationKind.PROMPT_REGRESSION:
        raise SimulationRefused("promptVersion", "only a PROMPT_REGRESSION takes a prompt version")
    return tool if tool is not None else prompt_version


def _check(
    *,
    kind: SimulationKind,
    duration_seconds: int,
    intensity: float,
    target: str | None,
    traffic_per_second: float,
    settings: Settings,
) -> None:
    if not 1 <= duration_seconds <= MAX_DURATION_SECONDS:
        raise SimulationRefused("durationSeconds", f"must be 1 to {MAX_DURATION_SECONDS}")
    if not 0 < intensity <= 1:
        raise SimulationRefused("intensity", "must be more than 0 and at most 1")
    if not 0 <= traffic_per_second <= MAX_TRAFFIC_PER_SECOND:
        raise SimulationRefused("trafficPerSecond", f"must be 0 to {MAX_TRAFFIC_PER_SECOND:g}")
    if target is not None and kind != SimulationKind.TOOL_OUTAGE and kind != SimulationKind.PROMPT_REGRESSION:
        raise SimulationRefused(
            "tool", "only a TOOL_OUTAGE takes a tool, and a PROMPT_REGRESSION a prompt version"
        )
    if target is not None and kind == SimulationKind.TOOL_OUTAGE and target not in TOOLS:
        raise SimulationRefused("tool", f"unknown tool; one of {', '.join(sorted(TOOLS))}")
    if kind == SimulationKind.PROMPT_REGRESSION:
        try:
            versions = available_versions(settings.agent_prompt)
        except PromptNotFound:
            versions = []
        if (target or DEFAULT_REGRESSED_PROMPT) not in versions:
            raise SimulationRefused(
                "promptVersion",
                f"unknown version of the prompt {settings.agent_prompt!r}; "
                f"one of {', '.join(versions) or '(none)'}",
            )


async def start_simulation(
    *,
    kind: SimulationKind,
    duration_seconds: int,
    intensity: float,
    actor: str,
    drills: DrillContext,
    target: str | None = None,
    traffic_per_second: float = 0.0,
) -> Simulation:
    """Set the drill's fault for its duration and schedule its end (and its traffic); one drill per kind at a
    time."""
    _check(
        kind=kind,
        duration_seconds=duration_seconds,
        intensity=intensity,
        target=target,
        traffic_per_second=traffic_per_second,
        settings=drills.settings,
    )
    await finish_overdue_simulations(redis=drills.redis, hub=drills.hub)
    if await Simulation.exists(kind=kind, status=SimulationStatus.RUNNING):
        raise SimulationRefused("kind", f"a {kind.value} drill is already running; stop it first")
    now = datetime.now(UTC)
    simulation = await Simulation.create(
        kind=kind,
        intensity=intensity,
        duration_seconds=duration_seconds,
        target=target
        or {
            SimulationKind.TOOL_OUTAGE: DEFAULT_OUTAGE_TOOL,
            SimulationKind.PROMPT_REGRESSION: DEFAULT_REGRESSED_PROMPT,
        }.get(kind),
        traffic_per_second=traffic_per_second,
        started_by=actor,
        ends_at=now + timedelta(seconds=duration_seconds),
    )
    point = fault_point(simulation)
    await faults.set_fault(
        drills.redis, point, ttl_seconds=duration_seconds, **fault_params(simulation, drills.settings)
    )
    await enqueue_keyed(
        queue=drills.queue,
        options=_FINISH,
        jobs={f"simulation-end:{simulation.id}": {"simulation_id": str(simulation.id)}},
        failure_event="simulation.end_enqueue_failed",
        scheduled=int(simulation.ends_at.timestamp()) + 1,
    )
    if traffic_per_second > 0:
        await _enqueue_traffic(drills.queue, simulation)
    await _announce(drills.hub, simulation, "started")
    log.info(
        "simulation.started",
        simulation_id=str(simulation.id),
        kind=kind.value,
        intensity=intensity,
        duration_seconds=duration_seconds,
        fault_point=point,
        actor=actor,
    )
    return simulation


async def _enqueue_traffic(queue: Queue, simulation: Simulation) -> None:
    # One generator per drill: the key makes a second enqueue a no-op while the first job exists.
    options = JobOptions(
        function=GENERATE_TRAFFIC_JOB,
        retries=1,
        timeout=simulation.duration_seconds + 60,
        retry_delay=0.0,
        retry_backoff=0.0,
    )
    await enqueue_keyed(
        queue=queue,
        options=options,
        jobs={f"simulation-traffic:{simulation.id}": {"simulation_id": str(simulation.id)}},
        failure_event="simulation.traffic_enqueue_failed",
    )


async def ensure_traffic(*, queue: Queue) -> None:
    """Re-enqueue the generator of a running drill whose job was lost (a Redis flush): the key dedups the
    rest."""
    for simulation in await Simulation.filter(status=SimulationStatus.RUNNING, traffic_per_second__gt=0):
        await _enqueue_traffic(queue, simulation)


async def _announce(hub: EventHub | SilentHub, simulation: Simulation, change: str) -> None:
    await hub.publish(SIMULATION_CHANGED, {"simulationId": str(simulation.id), "change": change})


async def stop_simulation(
    *, simulation_id: uuid.UUID, actor: str, redis: aioredis.Redis, hub: EventHub | SilentHub
) -> Simulation | None:
    """End a running drill now (idempotent: a finished drill is returned as it is)."""
    return await finish_simulation(simulation_id=simulation_id, redis=redis, hub=hub, stopped_by=actor)


async def finish_simulation(
    *,
    simulation_id: uuid.UUID,
    redis: aioredis.Redis,
    hub: EventHub | SilentHub,
    stopped_by: str | None = None,
) -> Simulation | None:
    """Clear the drill's fault, record its end and count what it caused."""
    updated = await Simulation.filter(id=simulation_id, status=SimulationStatus.RUNNING).update(
        status=SimulationStatus.STOPPED if stopped_by else SimulationStatus.FINISHED,
        ended_at=datetime.now(UTC),
    )
    simulation = await Simulation.get_or_none(id=simulation_id)
    if simulation is None or not updated:
        return simulation  # unknown, or ended before (by the other path): nothing more to do
    await faults.clear_fault(redis, fault_point(simulation))
    simulation.effects = await count_effects(simulation)
    if stopped_by:
        simulation.effects["stoppedBy"] = stopped_by
    await simulation.save(update_fields=["effects"])
    await _announce(hub, simulation, simulation.status.value.lower())
    log.info(
        "simulation.ended",
        simulation_id=str(simulation.id),
        status=simulation.status.value,
        **simulation.effects,
    )
    return simulation


async def finish_overdue_simulations(*, redis: aioredis.Redis, hub: EventHub | SilentHub) -> int:
    """End drills whose end job was lost (a Redis flush): their flags have expired already."""
    overdue = await Simulation.filter(
        status=SimulationStatus.RUNNING, ends_at__lt=datetime.now(UTC) - timedelta(seconds=5)
    ).values_list("id", flat=True)
    for simulation_id in overdue:
        await finish_simulation(simulation_id=simulation_id, redis=redis, hub=hub)
    return len(overdue)


_EFFECTS = """
SELECT
  (SELECT count(*) FROM agent_runs WHERE created_at >= $1 AND created_at < $2) AS turns,
  (SELECT count(*) FROM agent_runs WHERE created_at >= $1 AND created_at < $2
     AND status = 'FAILED') AS failed_turns,
  (SELECT count(*) FROM agent_runs WHERE created_at >= $1 AND created_at < $2
     AND status = 'HANDED_OFF') AS handed_off,
  (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FROM agent_runs
    WHERE created_at >= $1 AND created_at < $2) AS latency_p95_ms,
  (SELECT count(*) FROM tool_calls t JOIN agent_runs r ON r.id = t.run_id
    WHERE r.created_at >= $1 AND r.created_at < $2 AND t.error IS NOT NULL) AS tool_errors,
  (SELECT count(*) FROM messages WHERE created_at >= $1 AND created_at < $2 AND direction = 'OUTBOUND'
    AND delivery_status = 'FAILED') AS failed_deliveries,
  (SELECT count(*) FROM ingest_events WHERE metadata->>'simulation' = $3) AS events_sent,
  (SELECT coalesce(array_agg(id::text ORDER BY opened_at), '{}') FROM incidents
    WHERE opened_at >= $1 AND opened_at < $2) AS incidents_opened,
  (SELECT count(DISTINCT s.run_id) FROM eval_scores s JOIN agent_runs r ON r.id = s.run_id
    WHERE r.created_at >= $1 AND r.created_at < $2) AS scored_turns,
  (SELECT count(DISTINCT s.run_id) FROM eval_scores s JOIN agent_runs r ON r.id = s.run_id
    WHERE r.created_at >= $1 AND r.created_at < $2 AND s.passed = false) AS low_scored_turns
"""


async def count_effects(simulation: Simulation) -> dict:
    """What happened while the drill ran, from the recorded runs, calls, messages, events and incidents."""
    end = simulation.ended_at or datetime.now(UTC)
    rows = await connections.get("default").execute_query_dict(
        _EFFECTS, [simulation.started_at, end, str(simulation.id)]
    )
    row = rows[0]
    return {
        "turns": row["turns"],
        "failedTurns": row["failed_turns"],
        "handedOffTurns": row["handed_off"],
        "latencyP95Ms": round(row["latency_p95_ms"], 1) if row["latency_p95_ms"] is not None else None,
        "toolErrors": row["tool_errors"],
        "failedDeliveries": row["failed_deliveries"],
        "eventsSent": row["events_sent"],
        "incidentsOpened": list(row["incidents_opened"]),
        "scoredTurns": row["scored_turns"],
        "lowScoredTurns": row["low_scored_turns"],
    }


async def page_simulations(
    *, status: SimulationStatus | None, first: int, after: str | None
) -> Page[Simulation]:
    query = Simulation.filter(status=status) if status else Simulation.all()
    return await newest_first(query, time_field="started_at", first=first, after=after)


async def get_simulation(*, simulation_id: uuid.UUID) -> Simulation | None:
    return await Simulation.get_or_none(id=simulation_id)
