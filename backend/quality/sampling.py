"""Which live turns are scored, and how they reach the scorer without a round trip of their own.

A share per channel is drawn from the run's id (its random bits, so deciding again decides the same), and a
turn that failed or that a guardrail acted on is always scored (AGENTOPS_QUALITY_SCORE_FLAGGED): that is where
quality problems are likeliest, and a low rate would miss most of them.

The drawn turns are pushed onto one Redis list in the pipeline that releases the conversation's lease, after
the turn committed: no round trip is added and nothing the turn does waits for it. The `score_sampled` cron
drains the list in batches (jobs/quality.py): one read and one insert per batch instead of a job per turn. The
list is only a hand-over, rebuilt from PostgreSQL where it matters: a flushed Redis loses the last second's
sampled turns, and the `rescore_flagged` cron finds the flagged ones again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import redis.asyncio as aioredis

from backend.agent.models import RunStatus
from backend.core.enums import Channel
from backend.quality.definitions import online_evaluators
from backend.quality.models import ScoreTrigger
from backend.settings import Settings

PENDING_KEY = "agentops:quality:pending"
# A uuid4's last 48 bits are random (the 16 above them carry the variant): the draw is those, as a share.
_RANDOM_BITS = 48


def score_trigger(
    *, run_id: uuid.UUID, channel: Channel, status: RunStatus, guardrail_hits: int, settings: Settings
) -> ScoreTrigger | None:
    """Why this turn is to be scored, or None when it is not."""
    if settings.quality_score_flagged:
        if status == RunStatus.FAILED:
            return ScoreTrigger.FAILURE
        if guardrail_hits:
            return ScoreTrigger.GUARDRAIL
    rate = settings.quality_sample_rates.get(channel, settings.quality_sample_rate)
    if rate >= 1 or (rate > 0 and (run_id.int & ((1 << _RANDOM_BITS) - 1)) / (1 << _RANDOM_BITS) < rate):
        return ScoreTrigger.SAMPLE
    return None


def sampled(*, turns: Iterable[Any], settings: Settings) -> list[str]:
    """The pending-list entries ("<run id>:<trigger>") of the turns (TurnOutcome) to score; none without
    evaluators."""
    if not online_evaluators(settings.quality_evaluators):
        return []
    entries = []
    for turn in turns:
        trigger = score_trigger(
            run_id=turn.run_id,
            channel=turn.channel,
            status=turn.status,
            guardrail_hits=len(turn.violations),
            settings=settings,
        )
        if trigger is not None:
            entries.append(f"{turn.run_id}:{trigger.value}")
    return entries


def add_pending(pipe: Any, entries: list[str], *, key: str = PENDING_KEY) -> None:
    """Queue the entries on a pipeline (the lease's release): they are sent with it."""
    if entries:
        pipe.rpush(key, *entries)


async def take_pending(
    redis: aioredis.Redis, *, count: int, key: str = PENDING_KEY
) -> list[tuple[uuid.UUID, ScoreTrigger]]:
    """Up to `count` turns waiting to be scored, oldest first, taken off the list (malformed entries
    dropped)."""
    raw = await redis.lpop(key, count) or []
    taken = []
    for entry in raw:
        run_id, _, trigger = (entry.decode() if isinstance(entry, bytes) else entry).partition(":")
        try:
            taken.append((uuid.UUID(run_id), ScoreTrigger(trigger)))
        except ValueError:
            continue  # written by another release: nothing to score it by
    return taken


async def give_back(
    redis: aioredis.Redis, taken: list[tuple[uuid.UUID, ScoreTrigger]], *, key: str = PENDING_KEY
) -> None:
    """Put taken turns back at the head of the list (a batch that failed: the next run scores them)."""
    if taken:
        await redis.lpush(key, *[f"{run_id}:{trigger.value}" for run_id, trigger in reversed(taken)])
