"""Browser tests: the real API, workers and dashboard (production build), driven through Debian's chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.async_api import Error as PlaywrightError

from tests.helpers import free_port, wait_for_http

CHROMIUM = Path("/usr/bin/chromium")
# Quiet on a closed network: no first-run, sync, update or QUIC probes.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"
BUILD_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class DashboardUser:
    email: str
    password: str
    role: str


@dataclass(frozen=True)
class Dashboard:
    url: str
    api_url: str
    log: Path

    def live_feed_status(self) -> dict[str, int]:
        return httpx.get(f"{self.url}/live-feed", timeout=5).json()


def _install_chromium() -> None:
    """Debian's chromium, installed here when missing (tests run as root, in CI as on a developer machine)."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail("Browser tests need Debian's chromium: run `apt-get install -y chromium` as root.")
    wait_for_lock = ["-o", "DPkg::Lock::Timeout=600"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", *wait_for_lock, "update"],
        ["apt-get", *wait_for_lock, "install", "-y", "chromium"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=1200)
        if result.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def _agentops(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli.main", *args], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@contextlib.contextmanager
def running_dashboard(api_url: str, log_path: Path, env: dict[str, str] | None = None) -> Iterator[Dashboard]:
    """`agentops dashboard` on a free port, built as CI would, talking to the API at `api_url`."""
    port = free_port()
    env = {
        **os.environ,
        "AGENTOPS_DASHBOARD_PORT": str(port),
        "AGENTOPS_DASHBOARD_API_URL": f"{api_url}/graphql",
        **(env or {}),
    }
    env.pop(
        "AGENTOPS_DASHBOARD_API_KEY", None
    )  # let the command issue the live feed's key, as `make up` does
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli.main", "dashboard"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            try:
                wait_for_http(
                    f"http://127.0.0.1:{port}/healthz", timeout=BUILD_TIMEOUT_SECONDS, process=process
                )
            except (RuntimeError, TimeoutError) as error:
                pytest.fail(f"the dashboard did not start: {error}\n{log_path.read_text()[-4000:]}")
            yield Dashboard(url=f"http://127.0.0.1:{port}", api_url=f"{api_url}/graphql", log=log_path)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def dashboard(live_api: str, workers: list, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard every browser test shares, on the session's API and workers."""
    with running_dashboard(live_api, tmp_path_factory.mktemp("dashboard") / "dashboard.log") as running:
        yield running


@pytest.fixture(scope="module")
def dashboard_users(dashboard: Dashboard) -> dict[str, DashboardUser]:
    """One user per role and test module, created with the CLI as an operator would.

    Per module: logins are limited per e-mail per minute (a fixed window), and each module logs its users in
    several times, through the login page and the API; users shared by every module would be refused part-way.
    """
    users = {}
    for role in ("admin", "operator", "viewer"):
        user = DashboardUser(
            email=f"{role}-{uuid.uuid4().hex[:6]}@example.com", password=f"{role}-pass-1234", role=role
        )
        _agentops("users", "create", "--email", user.email, "--role", role, "--password", user.password)
        users[role] = user
    return users


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    _install_chromium()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        await chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
async def browser_context(browser, request: pytest.FixtureRequest) -> AsyncIterator[object]:
    """A fresh browser profile per test; when the test fails, every open tab is saved as a screenshot, and
    what the pages said (console, uncaught errors, their URLs) beside it."""
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(20_000)
    said: list[str] = []
    context.on("console", lambda message: said.append(f"console.{message.type}: {message.text}"))
    context.on("weberror", lambda error: said.append(f"uncaught: {error.error}"))
    yield context
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(exist_ok=True)
        for index, page in enumerate(context.pages):
            if not page.is_closed():
                said.append(f"tab {index}: {page.url}")
                # A tab whose page is stuck cannot be pictured: say so, rather than fail the teardown too.
                with contextlib.suppress(PlaywrightError):
                    await page.screenshot(
                        path=SCREENSHOTS / f"{request.node.name}-{index}.png", full_page=True, timeout=5_000
                    )
        (SCREENSHOTS / f"{request.node.name}.log").write_text("\n".join(said) + "\n")
    await context.close()


async def wait_for_login_page(page, *, timeout: float = 20_000) -> None:
    """Wait until the tab shows the login page (whatever its query: ?next=…, ?logged_out=1)."""
    await page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") == "/login", timeout=timeout)
    await page.locator("#login-form").wait_for(timeout=timeout)


async def log_in(page, dashboard: Dashboard, user: DashboardUser) -> None:
    """Log in through the login page and wait for Overview."""
    await page.goto(f"{dashboard.url}/login")
    await page.fill("#login-email", user.email)
    await page.fill("#login-password", user.password)
    await page.click("#login-submit")
    await page.wait_for_selector("#user-email")
