"""Which open tabs of this process show which browser session, so that the end of a session reaches them all.

A logout (from any tab, on any dashboard process), an expiry, or the API refusing the token ends the session
in the store; this registry then sends every tab of it to the login page. Tabs of this process hear of a
logout made here at once (`end`), and of any other end within CHECK_SECONDS: while tabs are registered, one
pipelined Redis call asks which of their sessions still exist.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from datetime import UTC, datetime

from redis.exceptions import RedisError

from frontend.sessions.store import SessionStore

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
EXPIRED = "Your session expired; please log in again."
ENDED_ELSEWHERE = "You were logged out (in another tab or window, or the session was revoked)."

# Sends these tabs to the login page with this notice.
EndTabs = Callable[[frozenset[str], str], Awaitable[None]]
# The tabs with an open socket to this process now.
Connected = Callable[[], Collection[str]]


class BrowserTabs:
    def __init__(self, *, store: SessionStore) -> None:
        self._store = store
        self._tabs: dict[str, set[str]] = {}  # session key -> tabs showing it
        self._session_of: dict[str, str] = {}  # tab -> session key
        self._expiry: dict[
            str, datetime
        ] = {}  # session key -> when it expires (to tell an expiry from a logout)
        self._end_tabs: EndTabs | None = None
        self._connected: Connected | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def attach(self, end_tabs: EndTabs, *, connected: Connected) -> None:
        """Say how tabs are sent to login and which are connected (once the Reflex app runs)."""
        self._end_tabs = end_tabs
        self._connected = connected

    def add(self, key: str, tab: str, *, expires_at: datetime) -> None:
        """`tab` shows session `key` (it may have shown another before: a new login replaces the old one)."""
        self.remove(tab)
        self._tabs.setdefault(key, set()).add(tab)
        self._session_of[tab] = key
        self._expiry[key] = expires_at

    def remove(self, tab: str) -> None:
        if (key := self._session_of.get(tab)) is not None:
            self._forget(key, tab)

    def sessions(self) -> int:
        """How many sessions have a tab here (for /live-feed and tests)."""
        return len(self._tabs)

    def end(
        self, key: str, *, notice: str | None = None, except_tab: str | None = None
    ) -> asyncio.Task[None] | None:
        """Send the tabs of an ended session to login, in a task of its own: a caller holding one tab's state
        (an event handler) must not wait for another tab's, which may be waiting for its own in turn."""
        tabs = self._tabs.pop(key, set())
        for tab in tabs:
            self._session_of.pop(tab, None)
        tabs.discard(except_tab)
        expires_at = self._expiry.pop(key, None)
        if not tabs or self._end_tabs is None:
            return None
        if notice is None:
            notice = (
                EXPIRED if expires_at is not None and expires_at <= datetime.now(UTC) else ENDED_ELSEWHERE
            )
        task = asyncio.create_task(
            self._end_tabs(frozenset(tabs), notice), name="dashboard-sessions:end-tabs"
        )
        self._pending.add(task)
        task.add_done_callback(self._finished)
        return task

    async def check_forever(self) -> None:
        """Forget closed tabs and end the tabs of sessions gone from the store, every CHECK_SECONDS."""
        while True:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self.check()
            except (RedisError, OSError) as error:
                # Nothing is ended on a failed check: Redis unreachable is not a logout.
                log.warning("browser session check failed (%s: %s)", type(error).__name__, error)

    async def check(self) -> None:
        if self._connected is not None:
            connected = set(self._connected())
            for tab in [tab for tab in self._session_of if tab not in connected]:
                self._forget(self._session_of[tab], tab)
        if not self._tabs:
            return
        still_open = await self._store.still_open(self._tabs.keys())
        for key in [key for key in self._tabs if key not in still_open]:
            self.end(key)

    async def close(self) -> None:
        """Stop sending tabs to login (at shutdown)."""
        for task in list(self._pending):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _forget(self, key: str, tab: str) -> None:
        self._session_of.pop(tab, None)
        tabs = self._tabs.get(key, set())
        tabs.discard(tab)
        if not tabs:
            self._tabs.pop(key, None)
            self._expiry.pop(key, None)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("could not send the tabs of an ended session to login", exc_info=error)
