"""The dashboard process's one live feed: a single graphql-transport-ws connection to the API.

Reflex does not cancel a session's background task when its browser tab closes, so the pages run no
subscription of their own. Sessions register here for kinds of update (`conversation`, `incident`,
`eval_progress:<run id>` …). Each kind is one subscription on the shared connection, open while at least one
session wants it; the connection closes when no session wants anything, whether it logged out or closed the
tab. Reflex has no public hook for a closed tab, so while anyone watches the feed asks which tabs are still
connected (`connected`, given by the app) once a second and forgets the others; an update is never handed to a
closed tab. A page whose own State takes some kinds (Overview, Conversations, Metrics, Drills …) says so when
it asks: `watch(session, "conversation", page=ConversationsState)`. The feed remembers which page each tab
shows and what that page asked for, so an update reaches the State of the page open there (`page_of`), and the
kinds a page asked for stop when the tab shows another page (`leave_page`), while the kinds asked for without
a page (incident alerts for the toasts, an eval run's progress) go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportError
from gql.transport.websockets import WebsocketsTransport
from graphql import GraphQLError

from frontend.live.documents import subscription_for

log = logging.getLogger(__name__)

# Delivers one update to some sessions.
Deliver = Callable[[frozenset[str], str, dict[str, Any]], Awaitable[None]]
# The sessions whose browser tab is connected to this process now.
Connected = Callable[[], Collection[str]]

RECONNECT_FIRST_DELAY_SECONDS = 0.5
RECONNECT_MAX_DELAY_SECONDS = 10.0
# How long a closed tab may stay registered: it receives nothing meanwhile (every update checks), but it keeps
# its subscriptions, and the connection, open until the check drops it.
CLOSED_TAB_CHECK_SECONDS = 1.0


class LiveFeed:
    """Holds one subscription per wanted kind on one connection, and hands each update to the sessions wanting
    it."""

    def __init__(self, *, websocket_url: str, api_key: str | None) -> None:
        self._websocket_url = websocket_url
        self._api_key = api_key
        self._wants: dict[str, set[str]] = {}  # session -> kinds of update it takes wherever the tab is
        # session -> the State of the page open in that tab, and the kinds of update that page takes
        self._pages: dict[str, tuple[type, set[str]]] = {}
        self._deliver: Deliver | None = None
        self._connected: Connected | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._wants_changed = asyncio.Event()
        self._open_subscriptions = 0

    def attach(self, deliver: Deliver, *, connected: Connected) -> None:
        """Say how updates reach a session and which sessions are connected (set once the Reflex app is
        running)."""
        self._deliver = deliver
        self._connected = connected

    def watch(self, session: str, *kinds: str, page: type | None = None) -> None:
        """Start sending these kinds of update to `session`, opening the connection if it is closed.

        `page`: the State of the page this tab now shows, which takes these updates until the tab leaves it.
        """
        if not kinds:
            return  # nothing to route to it: remembering its page would only keep a session nobody forgets
        if page is None:
            self._wants.setdefault(session, set()).update(kinds)
        else:
            shown, page_kinds = self._pages.get(session, (None, set()))
            self._pages[session] = (page, (page_kinds if shown is page else set()) | set(kinds))
        self._wants_changed.set()
        if self._consumer is None or self._consumer.done():
            self._consumer = asyncio.create_task(self._consume(), name="dashboard-live-feed")

    def leave_page(self, session: str) -> None:
        """The tab shows another page: the kinds its last page asked for stop (unless asked without a page
        too)."""
        if self._pages.pop(session, None) is not None:
            self._after_forgetting()

    def forget(self, session: str, *kinds: str) -> None:
        """Stop sending these kinds (all, when none is named) to `session`; the connection closes when nobody
        is left."""
        if not kinds:
            self._wants.pop(session, None)
            self._pages.pop(session, None)
        else:
            if (wanted := self._wants.get(session)) is not None:
                wanted.difference_update(kinds)
                if not wanted:
                    del self._wants[session]
            if (shown := self._pages.get(session)) is not None:
                shown[1].difference_update(kinds)
                if not shown[1]:
                    del self._pages[session]
        self._after_forgetting()

    def page_of(self, session: str) -> type | None:
        """The State of the page `session` last said it shows (None once it left it, or wants nothing
        there)."""
        shown = self._pages.get(session)
        return shown[0] if shown is not None else None

    def status(self) -> dict[str, int]:
        """How many consumers and subscriptions run and how many sessions they feed (for /live-feed and
        tests)."""
        running = self._consumer is not None and not self._consumer.done()
        return {
            "consumers": int(running),
            "subscriptions": self._open_subscriptions,
            "sessions": len(self._sessions()),
        }

    async def close(self) -> None:
        """Stop everything (at shutdown)."""
        self._wants.clear()
        self._pages.clear()
        task = self._stop_consumer()
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _sessions(self) -> set[str]:
        return self._wants.keys() | self._pages.keys()

    def _kinds_of(self, session: str) -> set[str]:
        return self._wants.get(session, set()) | self._pages.get(session, (None, set()))[1]

    def _wanted_kinds(self) -> set[str]:
        return set().union(*(self._kinds_of(session) for session in self._sessions()))

    def _after_forgetting(self) -> None:
        self._wants_changed.set()
        if not self._sessions():
            self._stop_consumer()

    def _stop_consumer(self) -> asyncio.Task[None] | None:
        task, self._consumer = self._consumer, None
        if task is not None and not task.done():
            task.cancel()
        return task

    def _forget_closed_tabs(self) -> None:
        if self._connected is None:
            return  # not attached to a running app yet: nobody can tell which tabs are open
        connected = self._connected()
        for session in [session for session in self._sessions() if session not in connected]:
            self.forget(session)

    async def _check_for_closed_tabs(self) -> None:
        # Runs beside the consumer, so it also drops tabs closed while the API is away: the retries then stop.
        while self._sessions():
            await asyncio.sleep(CLOSED_TAB_CHECK_SECONDS)
            self._forget_closed_tabs()

    async def _consume(self) -> None:
        checker = asyncio.create_task(self._check_for_closed_tabs(), name="dashboard-live-feed:closed-tabs")
        try:
            await self._consume_while_wanted()
        finally:
            checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checker

    async def _consume_while_wanted(self) -> None:
        delay = RECONNECT_FIRST_DELAY_SECONDS
        while self._sessions():
            try:
                await self._hold_connection()
            except (TimeoutError, TransportError, GraphQLError, OSError) as error:
                # The API restarting or unreachable: the pages keep their last figures until it is back.
                log.warning(
                    "live feed lost its connection (%s: %s); retrying in %.1fs",
                    type(error).__name__,
                    error,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY_SECONDS)
            else:
                delay = RECONNECT_FIRST_DELAY_SECONDS

    async def _hold_connection(self) -> None:
        transport = WebsocketsTransport(
            url=self._websocket_url,
            init_payload={"Authorization": f"Bearer {self._api_key}"} if self._api_key else {},
            subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            keep_alive_timeout=None,
        )
        # kind -> the task following its subscription; local to this connection, so a cancelled consumer
        # still closing its socket never touches the next one's.
        followers: dict[str, asyncio.Task[None]] = {}
        async with Client(transport=transport, fetch_schema_from_transport=False) as session:
            try:
                while self._sessions():
                    self._wants_changed.clear()
                    self._match_followers_to_wants(session, followers)
                    await self._wants_changed.wait()
                    self._raise_first_failure(followers)
            finally:
                for task in followers.values():
                    task.cancel()
                await asyncio.gather(*followers.values(), return_exceptions=True)

    def _match_followers_to_wants(self, session: Any, followers: dict[str, asyncio.Task[None]]) -> None:
        wanted = self._wanted_kinds()
        for kind in [kind for kind in followers if kind not in wanted]:
            followers.pop(kind).cancel()
        for kind in wanted - followers.keys():
            task = asyncio.create_task(self._follow(session, kind), name=f"dashboard-live-feed:{kind}")
            task.add_done_callback(lambda _: self._wants_changed.set())
            followers[kind] = task

    def _raise_first_failure(self, followers: dict[str, asyncio.Task[None]]) -> None:
        for kind, task in list(followers.items()):
            if not task.done() or task.cancelled():
                continue
            if (error := task.exception()) is not None:
                raise error  # the connection is gone: reconnecting starts every wanted kind again
            # The API ended this subscription (an eval run finished): nobody waits for more of it.
            del followers[kind]
            for session in list(self._sessions()):
                self.forget(session, kind)

    async def _follow(self, session: Any, kind: str) -> None:
        document, field, variables = subscription_for(kind)
        self._open_subscriptions += 1
        try:
            async for result in session.subscribe(GraphQLRequest(document, variable_values=variables)):
                await self._fan_out(kind, result[field])
        finally:
            self._open_subscriptions -= 1

    async def _fan_out(self, kind: str, payload: dict[str, Any]) -> None:
        self._forget_closed_tabs()  # a tab closed since the last check gets nothing
        sessions = frozenset(session for session in self._sessions() if kind in self._kinds_of(session))
        if self._deliver is None or not sessions:
            return
        try:
            await self._deliver(sessions, kind, payload)
        except Exception:
            # One update a page could not take must not end every tab's live data; the log says which.
            log.exception("live feed could not deliver a %s update", kind)
