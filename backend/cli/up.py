"""`agentops up`: services (private ones if needed), schema, demo data, then API, worker and dashboard until
Ctrl-C.

What it prints: its banner, warnings and errors from every process, and one summary line
(backend/cli/up_console.py). Its processes log at WARNING unless AGENTOPS_LOG_LEVEL says otherwise, in the
format of up's own stderr.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import psutil
import typer
from pydantic import PostgresDsn, RedisDsn

from backend.api.graphiql_files import ensure_assets, missing_assets
from backend.auth import service as auth_service
from backend.channels.delivery.endpoints import provider_for
from backend.cli.orm import run_with_orm
from backend.cli.up_console import ConsoleStream, UpConsole, relay
from backend.cli.up_summary import SummaryWatcher
from backend.core.enums import Channel, DeliveryProvider
from backend.core.scopes import Scope
from backend.demo.eval_history import seed_eval_history
from backend.demo.ops_history import seed_ops_history
from backend.demo.seed import seed_demo
from backend.devservices import ensure_services
from backend.ingest.models import IngestEvent
from backend.ingest.service import standalone_context
from backend.scheduling.seed import business_today, seed_business
from backend.settings import Settings, get_settings
from backend.telemetry.logs import configure_logging, wants_json
from backend.users import service as users_service
from backend.users.roles import Role

DEMO_KEY_NAME = "demo (agentops up)"
DEMO_ADMIN_EMAIL = "admin@example.com"
READY_TIMEOUT_SECONDS = 60
# The first dashboard build installs its JavaScript dependencies from the registry: give it time.
DASHBOARD_READY_TIMEOUT_SECONDS = 600
# Per-process INFO lines (started, listening, migrations) say what the banner says: up shows warnings and
# errors.
UP_LOG_LEVEL = "WARNING"


@dataclass(frozen=True)
class DemoAccess:
    seeded: int
    api_key: str
    admin_email: str
    admin_password: str


async def _prepare_demo(settings: Settings) -> DemoAccess:
    """Seed an empty database with demo traffic; a fresh demo admin key (the previous run's revoked) and
    password."""
    # Slots roll forward every day: the business always has a few weeks ahead to book.
    await seed_business(timezone=settings.business_timezone, today=business_today(settings))
    await seed_eval_history(settings=settings)
    await seed_ops_history(timezone=settings.business_timezone)
    created = 0
    if not await IngestEvent.exists():
        async with standalone_context(settings) as context:
            created = await seed_demo(context=context)
    for key in await auth_service.list_api_keys(include_revoked=False):
        if key.name == DEMO_KEY_NAME:
            await auth_service.revoke_api_key(key_id=key.id)
    _, secret = await auth_service.create_api_key(name=DEMO_KEY_NAME, scopes=[Scope.ADMIN])
    password = secrets.token_urlsafe(12)
    await users_service.create_or_reset_user(
        new_user=users_service.NewUser(email=DEMO_ADMIN_EMAIL, password=password, role=Role.ADMIN)
    )
    return DemoAccess(seeded=created, api_key=secret, admin_email=DEMO_ADMIN_EMAIL, admin_password=password)


def _spawn(args: list[str], env: dict[str, str], console: UpConsole) -> subprocess.Popen[bytes]:
    """Start `agentops <args>` with its output relayed through the console (so the status line stays
    whole)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "backend.cli.main", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    relay(process.stdout, write=console.line)  # type: ignore[arg-type]
    relay(process.stderr, write=lambda text: console.line(text, err=True))  # type: ignore[arg-type]
    return process


def _wait_until_healthy(
    url: str,
    processes: list[subprocess.Popen[bytes]],
    console: UpConsole,
    *,
    what: str = "The API",
    timeout: float = READY_TIMEOUT_SECONDS,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(process.poll() is not None for process in processes):
            raise typer.Exit(code=1)
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.3)
    console.line(f"{what} did not become ready within {timeout:.0f}s.", err=True)
    raise typer.Exit(code=1)


def _descendants(processes: list[subprocess.Popen[bytes]]) -> list[psutil.Process]:
    found = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            found.extend(psutil.Process(process.pid).children(recursive=True))
    return found


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    # Reflex forks workers of its own: they must be gone too before `up` says it stopped.
    descendants = _descendants(processes)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    for leftover in alive:
        with contextlib.suppress(psutil.Error):
            leftover.kill()
    psutil.wait_procs(alive, timeout=5)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _sandbox_choice(settings: Settings) -> bool:
    """Whether replies may go to the built-in sandbox: yes for the demo, unless AGENTOPS_SANDBOX_DELIVERY says
    no (or this is production, where it is refused). It only takes channels with no endpoint configured."""
    if "sandbox_delivery" in settings.model_fields_set:
        return settings.sandbox_delivery
    return settings.environment != "production"


def _log_choice(settings: Settings) -> tuple[str, bool]:
    """The level and format every process logs in: AGENTOPS_LOG_LEVEL if set, else WARNING; the stream's
    format."""
    level = settings.log_level if "log_level" in settings.model_fields_set else UP_LOG_LEVEL
    return level, wants_json(sys.stderr, settings.log_json)


def run_up(settings: Settings | None = None) -> None:
    """Run the whole product in the foreground; Ctrl-C stops everything it started."""
    settings = settings or get_settings()
    since = datetime.now(UTC)  # the summary counts what happened from here: the demo traffic included
    # Ctrl-C and SIGTERM (from a process manager) take the same clean path, even when started from a
    # shell that set SIGINT to "ignore" for background jobs.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    console = UpConsole()
    level, as_json = _log_choice(settings)
    configure_logging(level=level, json=as_json, stream=ConsoleStream(console, err=True))
    processes: list[subprocess.Popen[bytes]] = []
    summary: SummaryWatcher | None = None
    with ensure_services(
        database_url=str(settings.database_url),
        redis_url=str(settings.redis_url),
        data_dir=settings.data_dir,
        log=console.line,
    ) as endpoints:
        sandbox = _sandbox_choice(settings)
        env = {
            **os.environ,
            "AGENTOPS_SANDBOX_DELIVERY": "true" if sandbox else "false",
            "AGENTOPS_DATABASE_URL": endpoints.database_url,
            "AGENTOPS_REDIS_URL": endpoints.redis_url,
            "AGENTOPS_LOG_LEVEL": level,
            "AGENTOPS_LOG_JSON": "true" if as_json else "false",
            "PYTHONUNBUFFERED": "1",  # lines reach the screen when written, not when a pipe buffer fills
        }
        resolved = settings.model_copy(
            update={
                "database_url": PostgresDsn(endpoints.database_url),
                "redis_url": RedisDsn(endpoints.redis_url),
                "sandbox_delivery": sandbox,
            }
        )
        try:
            demo = run_with_orm(resolved, lambda: _prepare_demo(resolved))
            if resolved.graphiql and missing_assets():
                # The API would do it too, within the time `up` gives it to start: here, and said.
                console.line("Installing GraphiQL's files with npm (first start only)…")
                ensure_assets()
            processes.append(_spawn(["api"], env, console))
            processes.append(_spawn(["worker"], env, console))
            base = f"http://{settings.api_host}:{settings.api_port}"
            _wait_until_healthy(f"{base}/healthz", processes, console)
            console.line("Building the dashboard (the first build takes a minute)…")
            processes.append(_spawn(["dashboard"], env, console))
            dashboard = f"http://{settings.dashboard_host}:{settings.dashboard_port}"
            _wait_until_healthy(
                f"{dashboard}/healthz",
                processes,
                console,
                what="The dashboard",
                timeout=DASHBOARD_READY_TIMEOUT_SECONDS,
            )
            console.line(_banner(base=base, dashboard=dashboard, demo=demo, settings=resolved))
            summary = SummaryWatcher(settings=resolved, console=console, since=since, as_json=as_json)
            summary.start()
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
            console.line("A component exited; stopping the rest.", err=True)
            raise typer.Exit(code=1)
        except KeyboardInterrupt:
            _end_summary(summary, console)
            console.line("Stopping…")
        finally:
            _end_summary(summary, console)
            _stop(processes)


def _end_summary(summary: SummaryWatcher | None, console: UpConsole) -> None:
    """Stop refreshing the summary and leave its last value on screen, the cursor on a fresh line."""
    if summary is not None:
        summary.stop()
    console.close()


def graphiql_link(base: str, api_key: str) -> str:
    """GraphiQL with the key filled in. The key rides in the URL fragment, which browsers never send to a
    server: it cannot reach an access log (backend/api/graphiql.html reads it, then clears it from the
    address bar)."""
    return f"{base}/graphql#key={api_key}"


_PROVIDER_WORDS = {
    DeliveryProvider.SANDBOX: "the built-in sandbox (reaches no customer; AGENTOPS_SANDBOX_DELIVERY=false "
    "turns it off)",
    DeliveryProvider.TWILIO: "the SMS provider configured",
    DeliveryProvider.WEBHOOK: "the receiver configured",
    None: "nobody (written FAILED)",
}


def _deliveries(settings: Settings) -> str:
    """Who takes the replies of which channels, in a few words."""
    parts = []
    for provider, words in _PROVIDER_WORDS.items():
        channels = [channel.value for channel in Channel if provider_for(settings, channel) == provider]
        if channels:
            parts.append(f"{', '.join(channels)} → {words}")
    return "; ".join(parts)


def _banner(*, base: str, dashboard: str, demo: DemoAccess, settings: Settings) -> str:
    return "\n".join(
        [
            "",
            f"AgentOps Studio is up ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC).",
            f"  Dashboard          : {dashboard}   (write as a customer: {dashboard}/try)",
            f"  Dashboard login    : {demo.admin_email} / {demo.admin_password}",
            f"  GraphiQL           : {graphiql_link(base, demo.api_key)}",
            f"  GraphQL endpoint   : {base}/graphql   (header Authorization: Bearer <demo admin API key>)",
            f"  Liveness           : {base}/healthz",
            f"  Readiness          : {base}/readyz",
            f"  Replies            : {_deliveries(settings)}",
            f"  Demo events        : {demo.seeded} sent through the ingest path (the worker is processing "
            "them)",
            f"  Demo admin API key : {demo.api_key}",
            "Press Ctrl-C to stop everything.",
        ]
    )
