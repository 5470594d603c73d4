"""The one-line summary `agentops up` keeps under its banner: what happened since it started, and the queue
now."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import asdict, dataclass
from datetime import datetime

import asyncpg
import redis.asyncio as aioredis

from backend.cli.up_console import UpConsole, summary_record
from backend.ingest.backlog import queue_depth
from backend.ingest.queueing import make_queue
from backend.settings import Settings

# `attempts` on an event counts every attempt: the one that processed it, and the failed ones before.
_ACTIVITY = """
SELECT (SELECT count(*) FROM ingest_events WHERE received_at >= $1) AS events_accepted,
       (SELECT coalesce(sum(CASE WHEN status = 'PROCESSED' THEN greatest(attempts - 1, 0) ELSE attempts END),
                 0)
          FROM ingest_events WHERE received_at >= $1) AS failed_attempts,
       (SELECT count(*) FROM ingest_events WHERE received_at >= $1 AND status = 'DEAD') AS dead,
       (SELECT count(*) FROM agent_runs WHERE created_at >= $1) AS turns,
       (SELECT count(*) FROM agent_runs WHERE created_at >= $1 AND status = 'FAILED') AS failed_turns
"""
LIVE_EVERY_SECONDS = 5.0  # a status line on a terminal is cheap to refresh
LINE_EVERY_SECONDS = 60.0  # a line of its own in a log: once a minute


@dataclass(frozen=True)
class Activity:
    events_accepted: int
    turns: int
    failed_turns: int
    failed_attempts: int
    dead: int
    queue_depth: int | None

    @property
    def failures(self) -> int:
        return self.failed_turns + self.failed_attempts

    def describe(self, *, since: datetime) -> str:
        queue = "unknown (Redis unreachable)" if self.queue_depth is None else str(self.queue_depth)
        failures = f"{self.failures} failures"
        if self.failures:
            failures += (
                f" ({self.failed_turns} failed turns, {self.failed_attempts} failed attempts, "
                f"{self.dead} dead)"
            )
        return (
            f"Since {since:%H:%M:%S} UTC: {self.events_accepted} events accepted · {self.turns} turns · "
            f"{failures} · queue depth {queue}"
        )


async def read_activity(*, connection: asyncpg.Connection, queue: object, since: datetime) -> Activity:
    """Events, turns and failures since `since` (PostgreSQL), and the jobs waiting now (Redis)."""
    row = await connection.fetchrow(_ACTIVITY, since)
    return Activity(
        events_accepted=row["events_accepted"],
        turns=row["turns"],
        failed_turns=row["failed_turns"],
        failed_attempts=row["failed_attempts"],
        dead=row["dead"],
        queue_depth=await queue_depth(queue),
    )  # type: ignore[arg-type]


class SummaryWatcher:
    """Refreshes the summary in a thread of its own, until stopped."""

    def __init__(
        self,
        *,
        settings: Settings,
        console: UpConsole,
        since: datetime,
        as_json: bool,
        every: float | None = None,
    ) -> None:
        self._settings = settings
        self._console = console
        self._since = since
        self._as_json = as_json
        self._every = every or (LIVE_EVERY_SECONDS if console.live else LINE_EVERY_SECONDS)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._run()), name="up-summary", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=5)

    async def _run(self) -> None:
        queue = make_queue(self._settings)
        connection: asyncpg.Connection | None = None
        try:
            while not self._stop.is_set():
                try:
                    if connection is None or connection.is_closed():
                        connection = await asyncpg.connect(str(self._settings.database_url), timeout=5)
                    self._show(await read_activity(connection=connection, queue=queue, since=self._since))
                except (TimeoutError, OSError, asyncpg.PostgresError, aioredis.RedisError) as error:
                    connection = None
                    self._console.status(f"Summary unavailable: {type(error).__name__}: {error}")
                await asyncio.to_thread(self._stop.wait, self._every)
        finally:
            if connection is not None:
                with contextlib.suppress(OSError, asyncpg.PostgresError, aioredis.RedisError):
                    await connection.close()
            with contextlib.suppress(OSError, asyncpg.PostgresError, aioredis.RedisError):
                await queue.disconnect()

    def _show(self, activity: Activity) -> None:
        text = activity.describe(since=self._since)
        if self._console.live:
            self._console.status(text)
        else:
            self._console.line(summary_record(text, fields=asdict(activity), as_json=self._as_json))
