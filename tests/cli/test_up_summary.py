"""The summary `agentops up` keeps: what came in and was answered since it started, read from the real
database and queue; off a terminal it is a JSON line in the log stream, on one a status line rewritten in
place."""

import asyncio
import io
import json
from datetime import UTC, datetime

from backend.cli.up_console import CLEAR_LINE, UpConsole
from backend.cli.up_summary import SummaryWatcher
from backend.core.scopes import Scope
from backend.demo.ops_history import seed_ops_history
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENTS, event


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_the_summary_counts_what_happened_since_up_started(
    app, client, make_key, workers, test_settings
):
    await seed_ops_history(timezone=test_settings.business_timezone)  # a week of history before: not counted
    since = datetime.now(UTC)
    log = io.StringIO()  # not a terminal: one JSON line each time
    watcher = SummaryWatcher(
        settings=test_settings, console=UpConsole(out=log, err=log), since=since, as_json=True, every=0.3
    )
    watcher.start()
    try:
        key = await make_key(Scope.INGEST)
        events = [
            event(sender=f"+1555071{n:04d}", text="What are your opening hours on Saturday?")
            for n in range(3)
        ]
        body = (await graphql(client, INGEST_EVENTS, key=key, variables={"input": {"events": events}})).json()
        assert {r["__typename"] for r in body["data"]["ingestEvents"]["results"]} == {"EventAccepted"}

        async def answered():
            lines = [json.loads(line) for line in log.getvalue().splitlines()]
            return lines and lines[-1]["turns"] == 3 and lines[-1] or None

        last = await wait_until(answered, timeout=30, message="a summary with the three turns")
    finally:
        await asyncio.to_thread(watcher.stop)
    assert last["event"] == "up.summary" and last["events_accepted"] == 3
    assert (last["failed_turns"], last["failed_attempts"], last["dead"]) == (0, 0, 0)
    assert (
        last["queue_depth"] >= 0
    )  # the replies' delivery jobs may still be waiting: a number, read from Redis


async def test_on_a_terminal_the_summary_is_one_line_rewritten_under_what_was_printed(app, test_settings):
    screen = FakeTerminal()
    console = UpConsole(out=screen, err=screen)
    console.line("AgentOps Studio is up.")
    watcher = SummaryWatcher(
        settings=test_settings, console=console, since=datetime.now(UTC), as_json=False, every=0.2
    )
    watcher.start()
    try:
        await wait_until(lambda: asyncio.sleep(0, screen.getvalue().count("Since ") >= 2 or None), timeout=10)
        console.line("a warning from the worker", err=True)
    finally:
        await asyncio.to_thread(watcher.stop)
        console.close()
    written = screen.getvalue()
    # No newline between refreshes: each is drawn over the last. A line printed meanwhile goes above it.
    assert written.startswith("AgentOps Studio is up.\n" + CLEAR_LINE + "Since ")
    refreshes = written.split("a warning from the worker")[0]
    assert refreshes.count("\n") == 1 and refreshes.count(CLEAR_LINE + "Since ") >= 2
    assert "events accepted · 0 turns · 0 failures · queue depth" in written
    assert written.endswith("\n")
