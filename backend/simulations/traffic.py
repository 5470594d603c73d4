"""Synthetic customers for a drill: booking requests sent through the real accept path at a steady rate.

Each synthetic conversation is one new customer asking for a booking (fixtures/demo/traffic.json), tagged with
the drill's id in its metadata, so the drill's record can count what it sent.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import UTC, datetime
from functools import cache

import structlog
from tortoise import connections

from backend.core.enums import Channel
from backend.demo.seed import SCENARIOS
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import IngestContext, accept_events
from backend.settings import PROJECT_ROOT
from backend.simulations.models import Simulation, SimulationStatus

log = structlog.get_logger(__name__)
TRAFFIC = PROJECT_ROOT / "fixtures" / "demo" / "traffic.json"
STATUS_CHECK_SECONDS = 1.0
CHANNELS = (Channel.SMS, Channel.CHAT, Channel.SMS, Channel.VOICE)  # SMS-heavy, like the demo


@cache
def _texts() -> tuple[list[str], dict[str, list[str]]]:
    """The openers and their fillers, read once per process (the generator asks several times a second)."""
    return json.loads(TRAFFIC.read_text())["openers"], json.loads(SCENARIOS.read_text())["pools"]


def synthetic_events(
    *, simulation_id: uuid.UUID, first_number: int, count: int, limits: IngestLimits
) -> list[IncomingEvent]:
    openers, pools = _texts()
    rng = random.Random(f"{simulation_id}:{first_number}")
    events = []
    for number in range(first_number, first_number + count):
        fill = {name: rng.choice(values) for name, values in pools.items()}
        channel = CHANNELS[number % len(CHANNELS)]
        events.append(
            IncomingEvent.model_validate(
                {
                    "channel": channel,
                    "idempotency_key": f"sim-{simulation_id}-{number}",
                    "sender": f"+1555{rng.randrange(10**6, 10**7)}"
                    if channel != Channel.CHAT
                    else f"sim-user-{number}",
                    "external_conversation_id": f"sim-{simulation_id.hex[:8]}-{number}"
                    if channel != Channel.SMS
                    else None,
                    "text": rng.choice(openers).format(**fill),
                    "occurred_at": datetime.now(UTC),
                    "metadata": {"source": "simulation", "simulation": str(simulation_id)},
                },
                context={"limits": limits},
            )
        )
    return events


async def _already_sent(simulation_id: uuid.UUID) -> int:
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM ingest_events WHERE metadata->>'simulation' = $1", [str(simulation_id)]
    )
    return rows[0]["n"]


async def generate_traffic(*, simulation_id: uuid.UUID, context: IngestContext) -> int:
    """Send `traffic_per_second` conversations each second until the drill ends or is stopped; returns how
    many.

    It paces itself from the drill's start and counts what was already sent, so a generator restarted after a
    lost job (see ensure_traffic) carries on where the first one stopped instead of starting over.
    """
    simulation = await Simulation.get(id=simulation_id)
    rate, limits = simulation.traffic_per_second, IngestLimits.from_settings(context.settings)
    loop = asyncio.get_running_loop()
    checked = loop.time()
    sent = await _already_sent(simulation_id)
    while simulation.status == SimulationStatus.RUNNING and datetime.now(UTC) < simulation.ends_at:
        elapsed = (datetime.now(UTC) - simulation.started_at).total_seconds()
        due = min(int(elapsed * rate) + 1 - sent, max(int(rate), 1))  # never a burst to catch up
        if due > 0:
            events = synthetic_events(
                simulation_id=simulation_id, first_number=sent, count=due, limits=limits
            )
            await accept_events(events=events, api_key_id=None, context=context)
            sent += due
        await asyncio.sleep(min(1 / rate, 0.25))
        if loop.time() - checked >= STATUS_CHECK_SECONDS:  # an operator may have stopped it
            simulation, checked = await Simulation.get(id=simulation_id), loop.time()
    log.info("simulation.traffic_done", simulation_id=str(simulation_id), sent=sent)
    return sent
