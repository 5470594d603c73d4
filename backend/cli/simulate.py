"""`agentops simulate <kind>`: start a fault-injection drill from the command line (as startSimulation
does)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Annotated

import redis.asyncio as aioredis
import typer

from backend.events.hub import EventHub
from backend.ingest.queueing import make_queue
from backend.settings import get_settings
from backend.simulations.models import Simulation, SimulationKind, SimulationStatus


def simulate(
    kind: Annotated[SimulationKind, typer.Argument(help="What to break.")],
    duration: Annotated[
        int, typer.Option("--duration", "-d", help="Seconds (1–3600); the fault lifts by itself.")
    ] = 60,
    intensity: Annotated[
        float, typer.Option("--intensity", "-i", help="0–1: share of passes that fail, or how slow.")
    ] = 1.0,
    tool: Annotated[
        str | None, typer.Option(help="TOOL_OUTAGE: which tool (check_availability by default).")
    ] = None,
    prompt_version: Annotated[
        str | None,
        typer.Option(
            help="PROMPT_REGRESSION: the prompt version its turns answer with (over-promise by default)."
        ),
    ] = None,
    traffic: Annotated[
        float, typer.Option("--traffic", "-t", help="Synthetic conversations per second (0–50).")
    ] = 0.0,
    wait: Annotated[
        bool, typer.Option("--wait", "-w", help="Wait for the end and print what the drill caused.")
    ] = False,
) -> None:
    """Start a drill; a running worker applies it (and sends its traffic)."""
    from backend.cli.orm import run_with_orm
    from backend.simulations import service

    settings = get_settings()

    async def start() -> Simulation:
        redis = aioredis.Redis.from_url(str(settings.redis_url), socket_connect_timeout=2)
        queue = make_queue(settings)
        try:
            # Publishing needs no listener: the dashboards' drill pages hear of a drill the CLI starts.
            drills = service.DrillContext(settings=settings, redis=redis, queue=queue, hub=EventHub(redis))
            simulation = await service.start_simulation(
                kind=kind,
                duration_seconds=duration,
                intensity=intensity,
                traffic_per_second=traffic,
                actor="cli",
                target=service.drill_target(kind=kind, tool=tool, prompt_version=prompt_version),
                drills=drills,
            )
            typer.echo(
                f"Started {kind.value} drill {simulation.id} until {simulation.ends_at:%H:%M:%S} UTC "
                f"(intensity {intensity:g}, traffic {traffic:g}/s)."
            )
            while wait and simulation.status == SimulationStatus.RUNNING:
                await asyncio.sleep(
                    max(1.0, min(5.0, (simulation.ends_at - datetime.now(UTC)).total_seconds()))
                )
                simulation = await Simulation.get(id=simulation.id)
            return simulation
        finally:
            await queue.disconnect()
            await redis.aclose()

    try:
        simulation = run_with_orm(settings, start)
    except service.SimulationRefused as refused:
        typer.echo(f"Refused: {refused.field}: {refused}", err=True)
        raise typer.Exit(2) from None
    if wait:
        typer.echo(f"Drill {simulation.status.value.lower()}: " + json.dumps(simulation.effects, indent=2))
