"""Group commit: the accepts that arrive together in one process are written together.

Each accept used to pay its own Redis round trip for the rate limits, its own INSERT and its own enqueue —
about three quarters of the API's CPU per accepted event went into that plumbing, not into the event. Here a
request hands its events to the process's GroupCommit and waits; the events of every request that arrived
within `wait_seconds` of the first (or up to `max_events`) go through one `flush`: one rate-limit call, one
multi-row INSERT, one pipeline of enqueues. Each request still gets its own answers, and only once the flush
that carried them has committed: an event is acknowledged only after its row is.

At most `max_in_flight` flushes run at once; while they do, arrivals gather into the next group, so under load
the groups grow by themselves (fewer round trips per event exactly when CPU is short) and when idle a lone
request waits `wait_seconds` at most.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")


@dataclass
class Waiting(Generic[Item, Answer]):
    """One request's items, in its order, and the future its answers arrive on."""

    items: Sequence[Item]
    extra: Any  # what the flush needs to know about the request (its API key, its trace)
    answers: asyncio.Future[list[Answer]]
    arrived: float = field(default=0.0)


Flush = Callable[[list[Waiting[Item, Answer]]], Awaitable[list[list[Answer]]]]


class GroupCommit(Generic[Item, Answer]):
    """Gathers concurrent submissions and runs `flush` once per group; each submitter gets its own answers."""

    def __init__(self, *, flush: Flush, max_events: int, wait_seconds: float, max_in_flight: int = 2) -> None:
        self._flush = flush
        self.max_events, self.wait_seconds, self.max_in_flight = max_events, wait_seconds, max_in_flight
        self._pending: deque[Waiting[Item, Answer]] = deque()
        self._pending_items = 0
        self._in_flight = 0
        self._timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, items: Sequence[Item], extra: Any = None) -> list[Answer]:
        """The answers for `items`, in order, once the group that carried them is committed."""
        loop = asyncio.get_running_loop()
        waiting: Waiting[Item, Answer] = Waiting(
            items=items, extra=extra, answers=loop.create_future(), arrived=loop.time()
        )
        self._pending.append(waiting)
        self._pending_items += len(items)
        self._schedule(loop)
        # A request cancelled before its group starts is left out of it (see _take); once the group has
        # started it runs to the end for everyone, whoever is still waiting.
        return await waiting.answers

    async def close(self) -> None:
        """Flush whatever waits and wait for every flush to end (the process is stopping)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._pending or self._tasks:
            if self._pending and self._in_flight < self.max_in_flight:
                self._start(asyncio.get_running_loop())
                continue
            await asyncio.wait(set(self._tasks))

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._pending and self._in_flight < self.max_in_flight:
            due = self._pending[0].arrived + self.wait_seconds
            if self._pending_items < self.max_events and loop.time() < due:
                if self._timer is None:
                    self._timer = loop.call_at(due, self._on_timer, loop)
                return
            self._start(loop)
        # Otherwise every flush slot is busy: the first one to end schedules what has gathered meanwhile.

    def _on_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        self._timer = None
        self._schedule(loop)

    def _take(self) -> list[Waiting[Item, Answer]]:
        """Whole requests from the front, up to max_events items (always at least one request)."""
        group: list[Waiting[Item, Answer]] = []
        taken = 0
        while self._pending and (not group or taken + len(self._pending[0].items) <= self.max_events):
            waiting = self._pending.popleft()
            self._pending_items -= len(waiting.items)
            if waiting.answers.done():  # its request was cancelled while it waited: nothing of it is written
                continue
            group.append(waiting)
            taken += len(waiting.items)
        return group

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        group = self._take()
        if not group:
            return
        self._in_flight += 1
        # Its own task, not a request's: one request's cancellation must not cancel the others' commit.
        task = loop.create_task(self._run(group, loop))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, group: list[Waiting[Item, Answer]], loop: asyncio.AbstractEventLoop) -> None:
        try:
            answers = await self._flush(group)
        except asyncio.CancelledError:
            for waiting in group:
                waiting.answers.cancel()
            raise
        except Exception as error:  # noqa: BLE001 — not swallowed: every request of the group raises it
            for waiting in group:
                if not waiting.answers.done():
                    waiting.answers.set_exception(error)
        else:
            for waiting, answer in zip(group, answers, strict=True):
                if not waiting.answers.done():
                    waiting.answers.set_result(answer)
        finally:
            self._in_flight -= 1
            self._schedule(loop)
