"""The dashboard process's one live feed: a single graphql-transport-ws connection to the API.

Reflex does not cancel a session's background task when its browser tab closes, so the pages run no
subscription of their own. Sessions register here as watchers, each with the page (State class) it shows; the
feed runs while at least one watcher is left and stops (closing its subscriptions) when the last one goes,
whether it logged out or closed the tab.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from gql import Client, gql
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport
from graphql import GraphQLError

from frontend.live.documents import FEED_SUBSCRIPTIONS

log = logging.getLogger(__name__)

# Delivers one update to some sessions; answers the sessions that turned out to be gone.
Deliver = Callable[[frozenset[str], str, dict[str, Any]], Awaitable[set[str]]]

RECONNECT_FIRST_DELAY_SECONDS = 0.5
RECONNECT_MAX_DELAY_SECONDS = 10.0


class LiveFeed:
    """Holds the API subscriptions open while any session watches, and hands each update to every watcher."""

    def __init__(self, *, websocket_url: str, api_key: str | None) -> None:
        self._websocket_url = websocket_url
        self._api_key = api_key
        # session -> the page State its updates go to (the page open in that tab)
        self._watchers: dict[str, type | None] = {}
        self._deliver: Deliver | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._open_subscriptions = 0

    def attach(self, deliver: Deliver) -> None:
        """Say how updates reach a session (set once the Reflex app is running)."""
        self._deliver = deliver

    def watch(self, session: str, page: type | None = None) -> None:
        """Start sending updates to `session` (for its `page`), opening the feed if it is the first watcher."""
        self._watchers[session] = page
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.create_task(self._consume(), name="dashboard-live-feed")

    def forget(self, session: str) -> None:
        """Stop sending updates to `session`; the feed closes when nobody is left."""
        self._watchers.pop(session, None)
        if not self._watchers:
            self._stop_consumer()

    def page_of(self, session: str) -> type | None:
        """The page State that `session` last asked updates for."""
        return self._watchers.get(session)

    def status(self) -> dict[str, int]:
        """How many consumers and subscriptions run and how many sessions they feed (for /live and tests)."""
        running = self._consumer is not None and not self._consumer.done()
        return {"consumers": int(running), "subscriptions": self._open_subscriptions, "sessions": len(self._watchers)}

    async def close(self) -> None:
        """Stop everything (at shutdown)."""
        self._watchers.clear()
        task = self._stop_consumer()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _stop_consumer(self) -> asyncio.Task[None] | None:
        task, self._consumer = self._consumer, None
        if task is not None and not task.done():
            task.cancel()
        return task

    async def _consume(self) -> None:
        delay = RECONNECT_FIRST_DELAY_SECONDS
        while self._watchers:
            try:
                await self._hold_subscriptions()
            except (TransportError, GraphQLError, OSError, asyncio.TimeoutError) as error:
                # The API restarting or unreachable: the pages keep their last figures until it is back.
                log.warning("live feed lost its connection (%s: %s); retrying in %.1fs", type(error).__name__, error, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY_SECONDS)
            else:
                delay = RECONNECT_FIRST_DELAY_SECONDS

    async def _hold_subscriptions(self) -> None:
        transport = WebsocketsTransport(
            url=self._websocket_url,
            init_payload={"Authorization": f"Bearer {self._api_key}"} if self._api_key else {},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            keep_alive_timeout=None,
        )
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            try:
                async with asyncio.TaskGroup() as group:
                    for kind, (document, field) in FEED_SUBSCRIPTIONS.items():
                        group.create_task(self._follow(session, kind, document, field))
            except ExceptionGroup as failures:
                # One subscription failing ends them all; reconnecting treats the first cause.
                raise failures.exceptions[0] from None

    async def _follow(self, session: Any, kind: str, document: str, field: str) -> None:
        self._open_subscriptions += 1
        try:
            async for result in session.subscribe(gql(document)):
                await self._fan_out(kind, result[field])
        finally:
            self._open_subscriptions -= 1

    async def _fan_out(self, kind: str, payload: dict[str, Any]) -> None:
        if self._deliver is None or not self._watchers:
            return
        gone = await self._deliver(frozenset(self._watchers), kind, payload)
        for session in gone:
            self.forget(session)
