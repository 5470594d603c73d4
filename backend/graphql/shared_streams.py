"""Identical subscriptions share one execution per API process.

A thousand dashboards watching `liveMetrics` ask the same thing: executing the same document a thousand times
per change (resolving, validating the result, running extensions) was most of the API's CPU in
bench/live.py. Here the first subscriber of a (document, variables, operation, scopes) starts the execution
and every later one joins it; each result is computed once and handed to every member, which sends it on its
own websocket. The last member leaving stops the execution. Scopes are part of the key, so a result is only
ever shared among callers allowed exactly the same fields.

Subscriptions that report a current state (liveMetrics, ingestStats) give a new member the latest result at
once, as a fresh execution would; change feeds (conversationUpdated …) never replay an old change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from graphql import GraphQLError, OperationDefinitionNode, parse

log = structlog.get_logger(__name__)
MEMBER_BUFFER = 100
STATE_SUBSCRIPTIONS = frozenset({"liveMetrics", "ingestStats"})
_END = object()


def _root_fields(query: str) -> frozenset[str]:
    try:
        document = parse(query)
    except GraphQLError:
        return frozenset()
    return frozenset(
        selection.name.value
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        for selection in definition.selection_set.selections
        if hasattr(selection, "name")
    )


def stream_key(
    *, query: str, variables: dict | None, operation_name: str | None, scopes: frozenset | None
) -> str:
    scope_names = sorted(str(scope) for scope in scopes) if scopes is not None else None
    return json.dumps([query, variables or {}, operation_name, scope_names], sort_keys=True, default=str)


@dataclass
class _Stream:
    replays_latest: bool
    members: set[asyncio.Queue[Any]] = field(default_factory=set)
    latest: Any = None
    task: asyncio.Task[None] | None = None

    async def pump(self, source: AsyncIterator[Any]) -> None:
        try:
            async for result in source:
                self.latest = result
                for inbox in list(self.members):
                    if inbox.full():
                        # A slow member loses its oldest result, never holds the others back.
                        inbox.get_nowait()
                    inbox.put_nowait(result)
        finally:
            for inbox in list(self.members):
                with contextlib.suppress(asyncio.QueueFull):
                    inbox.put_nowait(_END)
            with contextlib.suppress(Exception):
                await source.aclose()  # type: ignore[attr-defined]


class SharedStreams:
    """The process's running shared executions, by key."""

    def __init__(self) -> None:
        self._streams: dict[str, _Stream] = {}

    @property
    def executions(self) -> int:
        return len(self._streams)

    @property
    def members(self) -> int:
        return sum(len(stream.members) for stream in self._streams.values())

    async def results(
        self, key: str, *, query: str, open_source: Callable[[], Awaitable[AsyncIterator[Any]]]
    ) -> AsyncIterator[Any]:
        """This subscriber's view of the shared execution for `key` (started if none runs)."""
        stream = self._streams.get(key)
        inbox: asyncio.Queue[Any] = asyncio.Queue(maxsize=MEMBER_BUFFER)
        if stream is None or (stream.task is not None and stream.task.done()):
            stream = _Stream(replays_latest=bool(_root_fields(query) & STATE_SUBSCRIPTIONS))
            stream.members.add(inbox)
            self._streams[key] = (
                stream  # joinable at once: members arriving while it opens wait in their inbox
            )
            try:
                source = await open_source()
            except BaseException:
                del self._streams[key]
                for other in stream.members - {inbox}:
                    other.put_nowait(_END)
                raise
            stream.task = asyncio.create_task(stream.pump(source), name="shared-subscription")
        else:
            stream.members.add(inbox)
            if stream.replays_latest and stream.latest is not None:
                inbox.put_nowait(stream.latest)
        try:
            while (item := await inbox.get()) is not _END:
                yield item
        finally:
            stream.members.discard(inbox)
            if not stream.members:
                if self._streams.get(key) is stream:
                    del self._streams[key]
                if stream.task is not None:
                    stream.task.cancel()

    async def close(self) -> None:
        for stream in list(self._streams.values()):
            if stream.task is not None:
                stream.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await stream.task
        self._streams.clear()
