"""A dashboard session ends when AGENTOPS_SESSION_HOURS says, in every tab, without anyone clicking.

An API and a dashboard of their own, with sessions of 18 seconds (AGENTOPS_SESSION_HOURS=0.005); the dashboard
builds into a directory of its own (REFLEX_WEB_WORKDIR), so the shared one is left as it is.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import pytest

from frontend.sessions.cookie import COOKIE_NAME
from tests.dashboard.conftest import Dashboard, DashboardUser, log_in, running_dashboard, wait_for_login_page
from tests.helpers import free_port, spawn_agentops, stop_processes, wait_for_http

SESSION_HOURS = 0.005  # 18 s


@pytest.fixture(scope="module")
def short_sessions(test_settings, workers, tmp_path_factory) -> Iterator[Dashboard]:
    directory = tmp_path_factory.mktemp("short-sessions")
    port = free_port()
    api = spawn_agentops(
        "api",
        log_path=directory / "api.log",
        env={"AGENTOPS_API_PORT": str(port), "AGENTOPS_SESSION_HOURS": str(SESSION_HOURS)},
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=api)
        with running_dashboard(
            f"http://127.0.0.1:{port}",
            directory / "dashboard.log",
            env={
                "REFLEX_WEB_WORKDIR": str(directory / ".web"),
                "REFLEX_STATES_WORKDIR": str(directory / ".states"),
            },
        ) as dashboard:
            yield dashboard
    finally:
        stop_processes([api], timeout=20)


@pytest.fixture(scope="module")
def user(short_sessions) -> DashboardUser:
    user = DashboardUser(
        email=f"expiry-{uuid.uuid4().hex[:6]}@example.com", password="expiry-pass-1234", role="operator"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli.main",
            "users",
            "create",
            "--email",
            user.email,
            "--role",
            user.role,
            "--password",
            user.password,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return user


async def test_a_session_expires_after_AGENTOPS_SESSION_HOURS_in_every_open_tab(
    short_sessions, user, browser_context
):
    page = await browser_context.new_page()
    await log_in(page, short_sessions, user)
    logged_in_at = time.monotonic()
    [cookie] = [cookie for cookie in await browser_context.cookies() if cookie["name"] == COOKIE_NAME]
    assert abs(cookie["expires"] - (time.time() + SESSION_HOURS * 3600)) < 5
    second = await browser_context.new_page()
    await second.goto(f"{short_sessions.url}/incidents")
    await second.wait_for_selector("#user-email")

    await asyncio.sleep(max(0.0, 8 - (time.monotonic() - logged_in_at)))
    await second.reload()  # well within its lifetime the session holds
    await second.wait_for_selector("#user-email")

    # Then both tabs go to the login page by themselves, saying why.
    await wait_for_login_page(page, timeout=30_000)
    # (the session began a moment before log_in returned: the page load after the form is in between)
    assert time.monotonic() - logged_in_at >= SESSION_HOURS * 3600 - 6
    assert "expired" in await page.locator("#login-notice").inner_text()
    await wait_for_login_page(second, timeout=5_000)
    assert "expired" in await second.locator("#login-notice").inner_text()

    await page.goto(f"{short_sessions.url}/")
    await wait_for_login_page(page)
    assert COOKIE_NAME not in {cookie["name"] for cookie in await browser_context.cookies()}
