"""Fault flags in Redis: a drill (or a test) makes a named step fail or slow down on every process at once.

All flags live in one Redis hash, read in a single round trip (`load_faults`); a worker keeps what it read for
up to a second (`FaultFlags`: one read a second instead of one a job) and reads again at once when `set_fault`
or `clear_fault` announces a change. A job makes the flags current for its task (`use_faults`); the code it
runs asks `current_faults()`.
Processes that never load flags (the API, eval replays) run with none. A flag carries its own expiry, so a
drill whose end was lost (a crashed process, a flushed Redis) cannot leave a fault behind for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from contextvars import ContextVar
from dataclasses import asdict, dataclass

import redis.asyncio as aioredis
import structlog

log = structlog.get_logger(__name__)

FAULTS_KEY = "agentops:faults"
FAULTS_CHANGED = (
    "agentops:faults:changed"  # a pub/sub channel: set_fault and clear_fault announce a change on it
)
_REMAINING = "#remaining"
MAX_AGE_SECONDS = 1.0  # how long a worker trusts the flags it read when no change was announced
WATCH_RETRY_SECONDS = 1.0

# The points the code checks; a tool's point is tool_point(name).
PROCESS_EVENT = "ingest.process_event"  # fail a processing job before it starts
BEFORE_COMMIT = "ingest.before_commit"  # fail it after every write, before the commit
PROCESS_DELAY = "ingest.delay"  # slow every processing job down (a backlog builds)
POLICY = "agent.policy"  # fail the policy step of a turn
POLICY_DELAY = "agent.policy.delay"  # slow the policy step down
DELIVERY = "delivery.send"  # fail an outbound delivery attempt
PROMPT = "agent.prompt"  # answer with another prompt version (its `value`): a prompt regression, on purpose


def tool_point(name: str) -> str:
    return f"tool.{name}"


class InjectedFault(RuntimeError):
    """Raised where a fault flag is set: the failure a drill asked for."""


@dataclass(frozen=True)
class Fault:
    message: str
    probability: float = 1.0  # each pass fails (or is slowed) with this probability
    delay_ms: float = 0.0  # > 0: a pass is slowed by this much instead of failing
    expires_at: float | None = None  # Unix seconds
    counted: bool = False  # fails only the next N passes (the #remaining counter)
    value: str = ""  # what an overriding point puts in place (PROMPT: the prompt version)


class ActiveFaults:
    """The flags one job saw when it started."""

    def __init__(self, redis: aioredis.Redis | None, flags: dict[str, Fault]) -> None:
        self._redis = redis
        self._flags = flags

    def __bool__(self) -> bool:
        return bool(self._flags)

    @property
    def points(self) -> list[str]:
        return sorted(self._flags)

    def __contains__(self, point: str) -> bool:
        return point in self._flags

    def unexpired(self, now: float) -> ActiveFaults:
        """These flags less those whose expiry passed since they were read (a kept read outlives a short
        drill)."""
        if all(fault.expires_at is None or fault.expires_at > now for fault in self._flags.values()):
            return self
        return ActiveFaults(
            self._redis,
            {
                point: fault
                for point, fault in self._flags.items()
                if fault.expires_at is None or fault.expires_at > now
            },
        )

    def _hit(self, point: str) -> Fault | None:
        fault = self._flags.get(point)
        if fault is None or random.random() >= fault.probability:
            return None
        return fault

    async def check(self, point: str) -> None:
        """Raise InjectedFault when a failing flag is set at `point` (a counted flag fails N times)."""
        fault = self._hit(point)
        if fault is None or fault.delay_ms > 0:
            return
        if (
            fault.counted
            and self._redis is not None
            and await self._redis.hincrby(FAULTS_KEY, point + _REMAINING, -1) < 0
        ):
            await clear_fault(self._redis, point)
            return
        raise InjectedFault(f"injected fault at {point}: {fault.message}")

    def override(self, point: str) -> str | None:
        """The value an overriding flag at `point` puts in place for this pass, or None (unset, or not
        drawn)."""
        fault = self._hit(point)
        return fault.value if fault is not None and fault.value else None

    async def slow_down(self, point: str) -> None:
        """Sleep when a delaying flag is set at `point`."""
        fault = self._hit(point)
        if fault is not None and fault.delay_ms > 0:
            await asyncio.sleep(fault.delay_ms / 1000)


NO_FAULTS = ActiveFaults(None, {})
_current: ContextVar[ActiveFaults] = ContextVar("agentops_faults", default=NO_FAULTS)


def current_faults() -> ActiveFaults:
    return _current.get()


def use_faults(faults: ActiveFaults) -> None:
    """Make `faults` current for this task (each SAQ job runs in a task of its own)."""
    _current.set(faults)


async def load_faults(redis: aioredis.Redis) -> ActiveFaults:
    """Every flag set now, in one round trip."""
    raw = await redis.hgetall(FAULTS_KEY)
    now, flags = time.time(), {}
    for name, value in raw.items():
        point = name.decode() if isinstance(name, bytes) else name
        if point.endswith(_REMAINING):
            continue
        try:
            fault = Fault(**json.loads(value))
        except (TypeError, ValueError):
            continue  # written by a newer release: ignore rather than fail every job
        if fault.expires_at is None or fault.expires_at > now:
            flags[point] = fault
    return ActiveFaults(redis, flags)


class FaultFlags:
    """One worker's view of the flags, shared by its jobs: read at most once every `max_age_seconds`, and
    again at once after a change is announced on FAULTS_CHANGED (a drill starting or ending is seen by the
    next job).

    Every job used to read the hash when it started: a round trip per message for flags that are almost always
    empty. A change made without the announcement (a flushed Redis) is seen within `max_age_seconds`.
    """

    def __init__(self, redis: aioredis.Redis, *, max_age_seconds: float = MAX_AGE_SECONDS) -> None:
        self._redis = redis
        self._max_age = max_age_seconds
        self._active: ActiveFaults | None = None
        self._read_at = 0.0
        self._generation = 0  # bumped by every announced change: a read that began before one is not kept
        self._watcher: asyncio.Task[None] | None = None

    async def current(self) -> ActiveFaults:
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.create_task(self._watch(), name="fault-flags-watcher")
        if self._active is None or time.monotonic() - self._read_at >= self._max_age:
            generation, read_at = self._generation, time.monotonic()
            active = await load_faults(self._redis)
            if generation != self._generation:
                return active  # a change was announced meanwhile: use this read, keep none
            self._active, self._read_at = active, read_at
        return self._active.unexpired(time.time())

    def invalidate(self) -> None:
        self._generation += 1
        self._active = None

    async def _watch(self) -> None:
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(FAULTS_CHANGED)
                self.invalidate()  # a change may have been announced while we were not listening
                async for _ in pubsub.listen():
                    self.invalidate()
            except (aioredis.RedisError, OSError) as error:  # until it is back, flags are read once a second
                log.debug("faults.watch_disconnected", error=str(error))
            finally:
                with contextlib.suppress(aioredis.RedisError, OSError):
                    await pubsub.aclose()
            await asyncio.sleep(WATCH_RETRY_SECONDS)

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, aioredis.RedisError, OSError):
                await self._watcher


async def set_fault(
    redis: aioredis.Redis,
    point: str,
    *,
    message: str,
    ttl_seconds: float | None = None,
    times: int | None = None,
    probability: float = 1.0,
    delay_ms: float = 0.0,
    value: str = "",
) -> None:
    """Turn a fault on: for ttl_seconds, for the next `times` passes, or until cleared."""
    fault = Fault(
        message=message,
        probability=probability,
        delay_ms=delay_ms,
        counted=times is not None,
        expires_at=time.time() + ttl_seconds if ttl_seconds is not None else None,
        value=value,
    )
    mapping = {point: json.dumps(asdict(fault))}
    if times is not None:
        mapping[point + _REMAINING] = str(times)
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.hset(FAULTS_KEY, mapping=mapping).publish(FAULTS_CHANGED, point).execute()


async def clear_fault(redis: aioredis.Redis, point: str) -> None:
    """Turn a fault off."""
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.hdel(FAULTS_KEY, point, point + _REMAINING).publish(FAULTS_CHANGED, point).execute()
