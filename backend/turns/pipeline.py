"""The turn pipeline, event → conversation → turn → reply, in one place.

A `process_event` job appends its event (backend/turns/appending.py), takes the conversation's lease
(backend/turns/lease.py), and answers the thread's unanswered events up to its own, one turn each, in
acceptance order (backend/turns/runtime.py). A turn that fails is charged to the event it was answering:
retried with backoff, and after the last attempt that event is DEAD with a dead letter. The thread does not
wait for a dead event: later messages go on being answered (each turn sees the dead one in its history),
because a customer who wrote again should not be silenced by a message we could not answer; the dead letter
stays on the operators' list, and a replay answers it then.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as aioredis
import structlog

from backend.agent.setup import AgentSetup
from backend.core.enums import Channel
from backend.core.topics import CONVERSATION_UPDATED, RUN_COMPLETED
from backend.events.hub import EventHub
from backend.ingest.dead_letters import record_failure
from backend.quality.sampling import add_pending, sampled
from backend.settings import Settings
from backend.telemetry.log_levels import RecordedFailure
from backend.turns.appending import Unanswered, append_pending, next_unanswered
from backend.turns.committing import AlreadyAnswered
from backend.turns.lease import Lease, conversation_lease
from backend.turns.runtime import TurnOutcome, run_turn

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ProcessResult:
    appended: int
    conversation_ids: frozenset[uuid.UUID]
    turns: tuple[TurnOutcome, ...] = ()
    deferred: bool = (
        False  # the conversation stayed busy: the event waits for its lease holder or the reconciler
    )


class AttemptFailed(RecordedFailure):
    """A turn failed and was recorded on its event, which is not dead yet: the job is to be retried.

    `_charge` already logged it as one WARNING line (event, attempt, reason): the queue's traceback is
    dropped.
    """


async def process_event(
    *,
    event_id: uuid.UUID,
    hub: EventHub,
    redis: aioredis.Redis,
    settings: Settings,
    agent: AgentSetup | None = None,
    deadline: float | None = None,
    before_commit: Callable[[], Awaitable[None]] | None = None,
    delivery_channels: frozenset[Channel] | None = None,
) -> ProcessResult:
    """Append the event (and any earlier pending one of its thread), then answer them in order under the
    lease.

    `deadline` (time.monotonic()) bounds the whole job: a turn still running then fails as timed out.
    `delivery_channels`: the channels replies can be sent on (run_turn); None takes every channel as
    deliverable.
    """
    appended = await append_pending(
        event_id=event_id,
        done_when_appended=agent is None,
        before_commit=before_commit if agent is None else None,
    )
    if not appended.received:
        return ProcessResult(appended=0, conversation_ids=frozenset())  # gone, done, or dead: nothing to do
    conversation_ids = frozenset({appended.conversation_id} if appended.count else ())
    appended_events = [
        (CONVERSATION_UPDATED, {"conversationId": str(conversation_id)})
        for conversation_id in conversation_ids
    ]
    if agent is None or appended.conversation_id is None:
        await hub.publish_many(appended_events)
        return ProcessResult(appended=appended.count, conversation_ids=conversation_ids)
    deadline = deadline if deadline is not None else time.monotonic() + settings.process_timeout
    # Wait for a turn in flight on this conversation, but leave room for this event's own turn.
    wait_until = deadline - min(settings.turn_budget_seconds, max(0.0, deadline - time.monotonic()) / 2)
    # The append's event rides on the lease's first try, the last turn's events on its release: a turn's Redis
    # round trips are the lease's two (tests/turns/test_round_trips.py).
    async with conversation_lease(
        redis,
        conversation_id=appended.conversation_id,
        ttl_seconds=settings.turn_lease_seconds,
        wait_until=wait_until,
        first_try_with=lambda pipe: hub.add_publishes(pipe, appended_events),
    ) as lease:
        if lease is None:
            log.debug("turns.deferred", event_id=str(event_id), conversation_id=str(appended.conversation_id))
            return ProcessResult(appended=appended.count, conversation_ids=conversation_ids, deferred=True)
        turns = await _answer_in_order(
            event_id=event_id,
            first=appended.first_unanswered,
            hub=hub,
            lease=lease,
            settings=settings,
            agent=agent,
            deadline=deadline,
            before_commit=before_commit,
            delivery_channels=delivery_channels,
        )
        # The turns drawn for online evaluation ride on the release too, after their commits: the scorer takes
        # them from there (backend/quality/sampling.py), and no reply waits for it.
        to_score = sampled(turns=turns, settings=settings)
        if to_score:
            lease.on_release.append(lambda pipe: add_pending(pipe, to_score))
    return ProcessResult(appended=appended.count, conversation_ids=conversation_ids, turns=tuple(turns))


async def _answer_in_order(
    *,
    event_id: uuid.UUID,
    first: Unanswered | None,
    hub: EventHub,
    lease: Lease,
    settings: Settings,
    agent: AgentSetup,
    deadline: float,
    before_commit: Callable[[], Awaitable[None]] | None,
    delivery_channels: frozenset[Channel] | None,
) -> list[TurnOutcome]:
    """Answer the thread's waiting events up to `event_id`; `first` is the earliest as the append saw it.

    The append's answer saves a read for the common case (one waiting event); it may be stale by the time the
    lease is ours, which the turn's own load notices (AlreadyAnswered) before deciding anything.
    """
    turns: list[TurnOutcome] = []
    waiting = first
    while waiting is not None:
        try:
            async with asyncio.timeout_at(deadline):
                outcome = await run_turn(
                    conversation_id=waiting.conversation_id,
                    text=waiting.text,
                    setup=agent,
                    trigger_message_id=waiting.message_id,
                    trigger_event_id=waiting.event_id,
                    deadline=deadline,
                    before_commit=before_commit,
                    delivery_channels=delivery_channels,
                )
        except AlreadyAnswered:
            pass  # another attempt answered it first: nothing to add
        except asyncio.CancelledError:
            # SAQ's timeout or a stopping worker: still an attempt, recorded before the cancellation goes on.
            await asyncio.shield(
                _charge(waiting, TimeoutError("the attempt was cancelled mid-turn"), settings)
            )
            raise
        except Exception as error:
            if isinstance(error, TimeoutError) and not str(error):  # the deadline above: say which
                error = TimeoutError("timed out: the attempt's time budget ran out mid-turn")
            if not await _charge(waiting, error, settings):
                raise AttemptFailed(str(error)) from error
            # dead: the thread goes on without it
        else:
            published = [(CONVERSATION_UPDATED, {"conversationId": str(waiting.conversation_id)})]
            if outcome is not None:
                turns.append(outcome)
                published.append(
                    (
                        RUN_COMPLETED,
                        {"runId": str(outcome.run_id), "conversationId": str(outcome.conversation_id)},
                    )
                )
            if waiting.event_id == event_id:
                # This job's own event: everything before it was answered first, what follows has its own
                # jobs. Its events go out with the lease's release, right after this.
                lease.on_release.append(lambda pipe, events=published: hub.add_publishes(pipe, events))
                break
            await hub.publish_many(published)
        waiting = await next_unanswered(event_id=event_id)
    return turns


async def _charge(waiting: Unanswered, error: BaseException, settings: Settings) -> bool:
    """Record a failed attempt on the event the turn was answering; True when that made it DEAD."""
    attempt, died = await record_failure(
        event_id=waiting.event_id, error=error, max_attempts=settings.process_attempts
    )
    log.warning(
        "ingest.process_failed",
        event_id=str(waiting.event_id),
        attempt=attempt,
        attempts=settings.process_attempts,
        dead=died,
        error=f"{type(error).__name__}: {error}",
    )
    return died
