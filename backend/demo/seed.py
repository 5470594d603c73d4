"""Demo traffic for `agentops seed` and `make up`: deterministic conversations sent through the real accept
path.

The texts come from fixtures/demo/scenarios.json; a fixed random seed picks scenarios, senders and fillers, so
every run produces the same events with the same idempotency keys, and running it again only finds duplicates.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend.core.enums import Channel
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.service import Accepted, IngestContext, accept_events
from backend.settings import PROJECT_ROOT

SCENARIOS = PROJECT_ROOT / "fixtures" / "demo" / "scenarios.json"
DEMO_SEED = 20261126
DEMO_CONVERSATIONS = 36


def demo_events(
    *,
    path: Path = SCENARIOS,
    conversations: int = DEMO_CONVERSATIONS,
    now: datetime | None = None,
    round_label: str | None = None,
) -> list[dict]:
    """The demo events in acceptance order, as IncomingEvent fields; a round label makes them a new round."""
    spec = json.loads(path.read_text())
    rng = random.Random(DEMO_SEED)
    start = (now or datetime.now(UTC)) - timedelta(hours=3)
    prefix = f"{round_label}-" if round_label else ""
    events = []
    for number in range(conversations):
        scenario = spec["scenarios"][number % len(spec["scenarios"])]
        channel = Channel(rng.choice(scenario["channels"]))
        fill = {name: rng.choice(values) for name, values in spec["pools"].items()}
        sender = (
            f"+1555{rng.randrange(10**6, 10**7)}"
            if channel != Channel.CHAT
            else f"user-{rng.randrange(1000, 9999)}"
        )
        thread = {Channel.CHAT: f"web-{number:04d}", Channel.VOICE: f"call-{number:04d}"}.get(channel)
        at = start + timedelta(minutes=5 * number)
        for turn, template in enumerate(scenario["turns"]):
            events.append(
                {
                    "channel": channel,
                    "idempotency_key": f"demo-{prefix}{number:03d}-{turn}",
                    "sender": sender,
                    "external_conversation_id": thread,
                    "text": template.format(**fill),
                    "occurred_at": at + timedelta(minutes=turn),
                    "metadata": {"source": "demo-seed"},
                }
            )
    return events


async def seed_demo(*, context: IngestContext, round_label: str | None = None) -> int:
    """Send the demo events through accept_events; returns how many were new (0 on a second run of a
    round)."""
    limits = {"limits": IngestLimits.from_settings(context.settings)}
    events = [
        IncomingEvent.model_validate(event, context=limits) for event in demo_events(round_label=round_label)
    ]
    accepted = 0
    for start in range(0, len(events), context.settings.ingest_max_batch):
        answers = await accept_events(
            events=events[start : start + context.settings.ingest_max_batch], api_key_id=None, context=context
        )
        accepted += sum(isinstance(answer, Accepted) and not answer.duplicate for answer in answers)
    return accepted
