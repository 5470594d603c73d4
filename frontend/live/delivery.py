"""Handing live updates to the States of each tab: in order per tab, never waiting on another tab.

Each tab has its own queue, drained by a task that runs only while the queue holds something: a tab whose
state is busy (an event handler calling the API holds it) delays its own updates, not the other tabs'.
A State takes an update with `apply_update(kind, payload)`, which changes what it shows and returns True when
the page must read again from the API (a conversation's thread, the dead letters, the metrics after a rollup).
That read (`refresh()`) runs outside the delivery, one at a time per tab and page, and once more if more
changes came meanwhile: a slow read never holds up the tab's other updates, and a burst of changes costs one
or two reads.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Collection, Mapping
from typing import Any

import reflex as rx

from frontend.live.documents import family_of

log = logging.getLogger(__name__)

MAX_QUEUED_PER_TAB = 500


class LiveDelivery:
    def __init__(
        self,
        *,
        app: rx.App,
        receivers: Mapping[str, tuple[type[rx.State], ...]],
        page_receivers: Collection[type[rx.State]],
        page_of: Callable[[str], type | None],
        connected: Callable[[], Collection[str]],
    ) -> None:
        self._app = app
        self._receivers = receivers
        self._page_receivers = page_receivers
        self._page_of = page_of
        self._connected = connected
        self._queues: dict[str, deque[tuple[str, dict[str, Any]]]] = {}  # tab -> updates not yet applied
        self._draining: dict[str, asyncio.Task[None]] = {}
        self._refreshing: dict[tuple[str, type[rx.State]], asyncio.Task[None]] = {}
        self._again: set[tuple[str, type[rx.State]]] = set()

    def receivers_in(self, session: str, kind: str) -> list[type[rx.State]]:
        """The States of `session` that take this kind of update now: by kind, then by the page open in the
        tab."""
        page = self._page_of(session)
        return [
            receiver
            for receiver in self._receivers[family_of(kind)]
            if receiver not in self._page_receivers or receiver is page
        ]

    async def deliver(self, sessions: frozenset[str], kind: str, payload: dict[str, Any]) -> None:
        """Queue one live update for each watching session; each session's updates are applied in order."""
        for session in sessions:
            queue = self._queues.setdefault(session, deque())
            if len(queue) >= MAX_QUEUED_PER_TAB:
                queue.popleft()  # a tab stuck that long gets the newest updates, not an ever longer backlog
                log.warning("live updates for a busy tab overflowed; its oldest was dropped")
            queue.append((kind, payload))
            if session not in self._draining:
                self._draining[session] = asyncio.create_task(
                    self._drain(session), name="dashboard-live-delivery"
                )

    async def _drain(self, session: str) -> None:
        try:
            while queue := self._queues.get(session):
                kind, payload = queue.popleft()
                if session not in self._connected():
                    continue  # the tab closed meanwhile
                try:
                    await self._deliver_to(session, kind, payload)
                except Exception:
                    # One update a page could not take must not stop the tab's others; the log says which.
                    log.exception("live feed could not deliver a %s update", kind)
        finally:
            # No await since the queue was last seen empty: nothing was queued in between.
            self._queues.pop(session, None)
            self._draining.pop(session, None)

    async def _deliver_to(self, session: str, kind: str, payload: dict[str, Any]) -> None:
        if not (receivers := self.receivers_in(session, kind)):
            return  # e.g. a conversation changed while this tab shows another page
        stale = []
        # App.modify_state with an rx.BaseStateToken: Reflex's public way to change a session's state from
        # outside its events (what a background event's `async with self` does); the delta goes to the tab.
        async with self._app.modify_state(rx.BaseStateToken(ident=session, cls=receivers[0])) as state:
            for receiver in receivers:
                target = state if isinstance(state, receiver) else await state.get_state(receiver)
                if target.apply_update(kind, payload):
                    stale.append(receiver)
        for receiver in stale:
            self._refresh_later(session, receiver)

    def _refresh_later(self, session: str, receiver: type[rx.State]) -> None:
        key = (session, receiver)
        running = self._refreshing.get(key)
        if running is not None and not running.done():
            self._again.add(
                key
            )  # read once more when this read is done: it may have started before the change
            return
        self._refreshing[key] = asyncio.create_task(
            self._refresh(key), name=f"dashboard-live-refresh:{receiver.__name__}"
        )

    async def _refresh(self, key: tuple[str, type[rx.State]]) -> None:
        session, receiver = key
        try:
            while True:
                self._again.discard(key)
                if session not in self._connected():
                    return  # the tab closed meanwhile
                async with self._app.modify_state(rx.BaseStateToken(ident=session, cls=receiver)) as state:
                    target = state if isinstance(state, receiver) else await state.get_state(receiver)
                    await target.refresh()
                if key not in self._again:
                    return
        except Exception:
            # One page that could not read again must not end the feed; the log says which.
            log.exception("live feed could not refresh %s", receiver.__name__)
        finally:
            self._again.discard(key)
            if self._refreshing.get(key) is asyncio.current_task():
                del self._refreshing[key]

    async def close(self) -> None:
        """Stop the deliveries and reads under way (at shutdown)."""
        tasks = [*self._draining.values(), *self._refreshing.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
