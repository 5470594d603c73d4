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

import structlog

from backend.channels.enums import Channel
from backend.demo.seed import SCENARIOS
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import IngestContext, accept_events
from backend.settings import PROJECT_ROOT
from backend.simulations.models import Simulation, SimulationStatus

log = structlog.get_logger(__name__)
TRAFFIC = PROJECT_ROOT / "fixtures" / "demo" / "traffic.json"
STATUS_CHECK_SECONDS = 1.0
CHANNELS = (Channel.SMS, Channel.CHAT, Channel.SMS, Channel.VOICE)  # SMS-heavy, like the demo


def synthetic_events(*, simulation_id: uuid.UUID, first_number: int, count: int, limits: IngestLimits) -> list[IncomingEvent]:
    openers = json.loads(TRAFFIC.read_text())["openers"]
    pools = json.loads(SCENARIOS.read_text())["pools"]
    rng = random.Random(f"{simulation_id}:{first_number}")
    events = []
    for number in range(first_number, first_number + count):
        fill = {name: rng.choice(values) for name, values in pools.items()}
        channel = CHANNELS[number % len(CHANNELS)]
        events.append(IncomingEvent.model_validate({
            "channel": channel,
            "idempotency_key": f"sim-{simulation_id}-{number}",
            "sender": f"+1555{rng.randrange(10**6, 10**7)}" if channel != Channel.CHAT else f"sim-user-{number}",
            "external_conversation_id": f"sim-{simulation_id.hex[:8]}-{number}" if channel != Channel.SMS else None,
            "text": rng.choice(openers).format(**fill),
            "occurred_at": datetime.now(UTC),
            "metadata": {"source": "simulation", "simulation": str(simulation_id)},
        }, context={"limits": limits}))
    return events


async def generate_traffic(*, simulation_id: uuid.UUID, context: IngestContext) -> int:
    """Send `traffic_per_second` conversations each second until the drill ends or is stopped; returns how many."""
    simulation = await Simulation.get(id=simulation_id)
    rate, limits = simulation.traffic_per_second, IngestLimits.from_settings(context.settings)
    loop = asyncio.get_running_loop()
    started = checked = loop.time()
    sent = 0
    while simulation.status == SimulationStatus.RUNNING and datetime.now(UTC) < simulation.ends_at:
        due = int((loop.time() - started) * rate) + 1 - sent
        if due > 0:
            events = synthetic_events(simulation_id=simulation_id, first_number=sent, count=due, limits=limits)
            await accept_events(events=events, api_key_id=None, context=context)
            sent += due
        await asyncio.sleep(min(1 / rate, 0.25))
        if loop.time() - checked >= STATUS_CHECK_SECONDS:  # an operator may have stopped it
            simulation, checked = await Simulation.get(id=simulation_id), loop.time()
    log.info("simulation.traffic_done", simulation_id=str(simulation_id), sent=sent)
    return sent
