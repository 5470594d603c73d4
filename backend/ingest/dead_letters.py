"""Failures: every failed attempt is noted on the event; after the last one it is DEAD with a dead letter."""

from __future__ import annotations

import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from saq import Queue
from tortoise.transactions import in_transaction

from backend.core.enums import Channel
from backend.db.keyset import Page, newest_first
from backend.db.lookup import rows_by_id
from backend.ingest.models import DeadLetter, IngestEvent, IngestStatus
from backend.ingest.queueing import enqueue_processing
from backend.settings import Settings

TRACEBACK_FRAMES = 4
MAX_REPLAY_BATCH = 1000


def summarize_traceback(error: BaseException) -> str:
    """The last few frames and the message: enough to find the failing line."""
    frames = traceback.extract_tb(error.__traceback__)[-TRACEBACK_FRAMES:]
    lines = [f"{frame.filename}:{frame.lineno} in {frame.name}: {frame.line or ''}" for frame in frames]
    lines.append(f"{type(error).__name__}: {error}")
    return "\n".join(lines)[-4000:]


async def record_failure(*, event_id: uuid.UUID, error: BaseException, max_attempts: int) -> tuple[int, bool]:
    """Count a failed attempt on the event; the one reaching `max_attempts` makes it DEAD with its dead
    letter.

    Returns (the event's attempt count, whether it died now). Counted on the row, not on the SAQ job: an event
    can be tried by its own job, by a later job of its thread, or by a job the reconciler enqueued.
    """
    now = datetime.now(UTC)
    async with in_transaction():
        event = await IngestEvent.select_for_update().get_or_none(id=event_id)
        if event is None or event.status != IngestStatus.RECEIVED:
            return 0, False  # processed by another job meanwhile, or already dead
        event.attempts += 1
        event.last_error = f"{type(error).__name__}: {error}"[:2000]
        event.first_failed_at = event.first_failed_at or now
        final = event.attempts >= max_attempts
        if final:
            event.status = IngestStatus.DEAD
        await event.save(update_fields=["attempts", "last_error", "first_failed_at", "status"])
        if not final:
            return event.attempts, False
        letter = await DeadLetter.get_or_none(event_id=event_id)
        fields = {
            "error_type": type(error).__name__,
            "error_message": str(error)[:2000],
            "traceback_summary": summarize_traceback(error),
            "attempts": event.attempts,
            "first_failed_at": event.first_failed_at,
            "dead_at": now,
            "replayed_at": None,
        }
        if letter is None:
            await DeadLetter.create(event_id=event_id, **fields)
        else:
            await DeadLetter.filter(id=letter.id).update(**fields)
    return event.attempts, True


@dataclass(frozen=True)
class DeadLetterCriteria:
    channel: Channel | None = None
    replayed: bool | None = None
    dead_after: datetime | None = None
    dead_before: datetime | None = None


def _matching(criteria: DeadLetterCriteria):
    query = DeadLetter.all()
    if criteria.channel:
        query = query.filter(event__channel=criteria.channel)
    if criteria.replayed is not None:
        query = query.filter(replayed_at__isnull=not criteria.replayed)
    if criteria.dead_after:
        query = query.filter(dead_at__gte=criteria.dead_after)
    if criteria.dead_before:
        query = query.filter(dead_at__lt=criteria.dead_before)
    return query


async def page_dead_letters(
    *, criteria: DeadLetterCriteria, first: int, after: str | None
) -> Page[DeadLetter]:
    """Dead letters matching the criteria, most recent first."""
    return await newest_first(_matching(criteria), time_field="dead_at", first=first, after=after)


async def _revive(letter_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """Put DEAD events of these letters back to RECEIVED; returns the revived event ids."""
    now = datetime.now(UTC)
    async with in_transaction():
        letters = await DeadLetter.filter(id__in=letter_ids).select_for_update()
        event_ids = [letter.event_id for letter in letters]  # type: ignore[attr-defined]
        dead = await IngestEvent.filter(id__in=event_ids, status=IngestStatus.DEAD).values_list(
            "id", flat=True
        )
        if dead:
            await IngestEvent.filter(id__in=dead).update(status=IngestStatus.RECEIVED, attempts=0)
            for letter in letters:
                if letter.event_id in dead:  # type: ignore[attr-defined]
                    letter.replayed_at = now
                    letter.replay_count += 1
                    await letter.save(update_fields=["replayed_at", "replay_count"])
    return list(dead)


async def replay_dead_letter(
    *, dead_letter_id: uuid.UUID, queue: Queue, settings: Settings
) -> tuple[DeadLetter | None, bool]:
    """Send a dead letter's event down the path again; (letter, whether it was replayed now). Idempotent."""
    if not await DeadLetter.exists(id=dead_letter_id):
        return None, False
    revived = await _revive([dead_letter_id])
    await enqueue_processing(queue=queue, settings=settings, event_ids=revived)
    return await DeadLetter.get(id=dead_letter_id), bool(revived)


async def replay_dead_letters(*, criteria: DeadLetterCriteria, queue: Queue, settings: Settings) -> int:
    """Replay every dead letter matching the criteria whose event is still DEAD; returns how many."""
    replayed = 0
    while True:
        batch = (
            await _matching(criteria)
            .filter(event__status=IngestStatus.DEAD)
            .limit(MAX_REPLAY_BATCH)
            .values_list("id", flat=True)
        )
        if not batch:
            return replayed
        revived = await _revive(list(batch))
        await enqueue_processing(queue=queue, settings=settings, event_ids=revived)
        replayed += len(revived)
        if len(batch) < MAX_REPLAY_BATCH:
            return replayed


async def get_dead_letters(*, ids: list[uuid.UUID]) -> list[DeadLetter | None]:
    """Dead letters in the order of `ids`, None where missing."""
    return await rows_by_id(DeadLetter.all(), ids)
