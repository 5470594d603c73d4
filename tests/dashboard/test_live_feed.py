"""The live feed without a browser: it feeds only the tabs still connected, and a closed tab leaves nothing
running.

The feed is given the open tabs the way the dashboard gives them (a collection read on demand); here it is a
set the test changes, while the subscription runs against the real API. The browser tests check the same
through Reflex with real tabs.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest

from frontend.live.feed import LiveFeed
from tests.helpers import free_port

IDLE = {"consumers": 0, "subscriptions": 0, "sessions": 0}


@pytest.fixture(scope="module")
def read_key(live_api: str) -> str:
    """A read-only API key, made with the CLI as `agentops dashboard` makes the live feed's."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli.main",
            "keys",
            "create",
            "--name",
            "live feed test",
            "--scope",
            "read",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


async def _until(predicate, *, timeout: float, message: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.05)


async def test_only_connected_tabs_get_updates_and_closed_ones_are_dropped(live_api, read_key):
    feed = LiveFeed(websocket_url="ws" + live_api.removeprefix("http") + "/graphql", api_key=read_key)
    open_tabs = {"tab-a", "tab-b"}
    deliveries: list[tuple[frozenset[str], str]] = []

    async def deliver(sessions: frozenset[str], kind: str, payload: dict[str, Any]) -> None:
        deliveries.append((sessions, kind))

    feed.attach(deliver, connected=lambda: set(open_tabs))
    try:
        feed.watch("tab-a", "metrics")
        feed.watch("tab-b", "metrics")
        # liveMetrics answers a new subscriber with the values now
        await _until(lambda: deliveries, timeout=15, message="the first metrics update")
        assert deliveries[0] == (frozenset({"tab-a", "tab-b"}), "metrics")
        assert feed.status() == {"consumers": 1, "subscriptions": 1, "sessions": 2}

        open_tabs.discard("tab-b")  # the tab closed; nobody told the feed
        await _until(
            lambda: feed.status()["sessions"] == 1, timeout=5, message="the closed tab to be dropped"
        )
        assert feed.status() == {"consumers": 1, "subscriptions": 1, "sessions": 1}
        assert all(sessions <= open_tabs for sessions, _ in deliveries[1:])

        open_tabs.clear()
        await _until(lambda: feed.status() == IDLE, timeout=5, message="the feed to stop with its last tab")
    finally:
        await feed.close()


async def test_a_tab_closed_while_the_api_is_away_stops_the_retries(caplog):
    # Nothing listens on this port: the feed keeps retrying while a tab wants updates.
    feed = LiveFeed(websocket_url=f"ws://127.0.0.1:{free_port()}/graphql", api_key=None)
    open_tabs = {"tab-a"}

    async def deliver(sessions: frozenset[str], kind: str, payload: dict[str, Any]) -> None:
        raise AssertionError("nothing can be delivered without the API")

    feed.attach(deliver, connected=lambda: set(open_tabs))
    try:
        feed.watch("tab-a", "incident")
        await _until(
            lambda: "live feed lost its connection" in caplog.text, timeout=5, message="a failed connection"
        )
        assert feed.status() == {"consumers": 1, "subscriptions": 0, "sessions": 1}

        open_tabs.clear()
        await _until(
            lambda: feed.status() == IDLE, timeout=5, message="the retries to stop with the closed tab"
        )
    finally:
        await feed.close()


async def test_before_the_app_runs_no_tab_is_taken_for_closed():
    # Until the app attaches, the feed cannot know which tabs are open: it drops nobody.
    feed = LiveFeed(websocket_url=f"ws://127.0.0.1:{free_port()}/graphql", api_key=None)
    try:
        feed.watch("tab-a", "incident")
        await asyncio.sleep(1.5)
        assert feed.status()["sessions"] == 1
    finally:
        await feed.close()


class _MetricsPage:
    """Stands for a page's State (the feed only keeps it to route updates)."""


class _DrillsPage:
    """Another page's State."""


async def test_a_pages_updates_stop_when_the_tab_leaves_it_and_those_asked_for_everywhere_go_on(
    live_api, read_key
):
    feed = LiveFeed(websocket_url="ws" + live_api.removeprefix("http") + "/graphql", api_key=read_key)
    received: list[str] = []

    async def deliver(sessions: frozenset[str], kind: str, payload: dict[str, Any]) -> None:
        received.append(kind)

    feed.attach(deliver, connected=lambda: {"tab-a"})
    try:
        feed.watch("tab-a", "incident")  # the toasts: wherever the tab is
        feed.watch("tab-a", "metrics", "incident", page=_MetricsPage)
        assert feed.page_of("tab-a") is _MetricsPage
        await _until(
            lambda: feed.status()["subscriptions"] == 2 and "metrics" in received,
            timeout=15,
            message="metrics and incident subscriptions",
        )

        # Another page: its kinds replace those of the page before (metrics stops), the toasts' stay.
        feed.watch("tab-a", "simulation", page=_DrillsPage)
        assert feed.page_of("tab-a") is _DrillsPage
        await _until(
            lambda: feed.status() == {"consumers": 1, "subscriptions": 2, "sessions": 1},
            timeout=5,
            message="metrics to close and simulation to open",
        )
        received.clear()
        await asyncio.sleep(2.5)  # liveMetrics pushes every second here: none reaches the tab any more
        assert "metrics" not in received

        # A page without live data of its own: only what was asked for everywhere goes on.
        feed.leave_page("tab-a")
        assert feed.page_of("tab-a") is None
        await _until(
            lambda: feed.status() == {"consumers": 1, "subscriptions": 1, "sessions": 1},
            timeout=5,
            message="only the incident subscription",
        )
        feed.forget("tab-a")
        await _until(lambda: feed.status() == IDLE, timeout=5, message="the feed to stop")
    finally:
        await feed.close()
