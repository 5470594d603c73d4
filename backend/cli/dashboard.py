"""`agentops dashboard`: bring the Reflex toolchain in from the package registries, then serve the dashboard.

Reflex would download bun from its website, which these machines cannot reach: bun comes from the npm registry
instead (frontend/toolchain, pinned by its package-lock.json), and Reflex is pointed at it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import structlog
import typer

from backend.settings import PROJECT_ROOT, Settings
from backend.telemetry.logs import wants_json

TOOLCHAIN_DIR = PROJECT_ROOT / "frontend" / "toolchain"
LIVE_FEED_KEY_PREFIX = "dashboard live feed"
# The Try it page sends customer messages as a channel adapter would: with a key of the dashboard's own that
# can only ingest (never read or operate), held in the dashboard process, never in a browser.
TRY_IT_KEY_PREFIX = "dashboard try it"
log = structlog.get_logger(__name__)


class ToolchainError(RuntimeError):
    """The dashboard's toolchain could not be installed; the message says what to do."""


def _lock_digest() -> str:
    return hashlib.sha256((TOOLCHAIN_DIR / "package-lock.json").read_bytes()).hexdigest()


def _bun_binaries() -> list[Path]:
    # The platform package carries the real binary (the `.bin/bun` shim needs bun's postinstall script).
    return sorted((TOOLCHAIN_DIR / "node_modules" / "@oven").glob("bun-*/bin/bun"))


def _npm_registry() -> str | None:
    npm = shutil.which("npm")
    if npm is None:
        return None
    answer = subprocess.run([npm, "config", "get", "registry"], capture_output=True, text=True, timeout=60)
    return answer.stdout.strip() or None


def ensure_bun() -> Path:
    """bun's binary, installed with `npm ci` from the committed lock file when missing or out of date."""
    stamp = TOOLCHAIN_DIR / "node_modules" / ".agentops-lock-digest"
    current = stamp.exists() and stamp.read_text() == _lock_digest()
    if not (current and _bun_binaries()):
        npm = shutil.which("npm")
        if npm is None:
            raise ToolchainError(
                "The dashboard needs Node.js with npm (Debian: apt-get install -y nodejs npm)."
            )
        result = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=TOOLCHAIN_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise ToolchainError(f"npm ci in {TOOLCHAIN_DIR} failed:\n{result.stderr[-2000:]}")
        stamp.write_text(_lock_digest())
    for binary in _bun_binaries():
        # Several platform packages may be present (baseline builds, musl): take the first that runs here.
        if subprocess.run([binary, "--version"], capture_output=True, timeout=30).returncode == 0:
            return binary
    raise ToolchainError(f"No bun binary under {TOOLCHAIN_DIR}/node_modules/@oven runs on this machine.")


def reflex_environment(
    *, settings: Settings, bun: Path, live_feed_key: str, try_it_key: str
) -> dict[str, str]:
    """The environment `reflex run` needs here: our bun, no telemetry or update checks, the API to call, and
    the Redis that keeps browser sessions."""
    env = {
        **os.environ,
        "REFLEX_BUN_PATH": str(bun),
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "AGENTOPS_DASHBOARD_API_URL": settings.dashboard_graphql_url,
        "AGENTOPS_DASHBOARD_API_KEY": live_feed_key,
        "AGENTOPS_DASHBOARD_INGEST_KEY": try_it_key,
        "AGENTOPS_DASHBOARD_REDIS_URL": str(settings.redis_url),
        "PYTHONUNBUFFERED": "1",
    }
    if settings.dashboard_public_url:
        env["AGENTOPS_DASHBOARD_PUBLIC_URL"] = settings.dashboard_public_url
    # Without it Reflex probes a mirror three times before it falls back to the configured registry.
    if "NPM_CONFIG_REGISTRY" not in env and (registry := _npm_registry()):
        env["NPM_CONFIG_REGISTRY"] = registry
    return env


async def issue_dashboard_key(*, purpose: str, scope: str, port: int) -> str:
    """A fresh key with one scope for the dashboard on this host and port; the previous one of that dashboard
    and purpose is revoked.

    The port is in the name because several dashboards may run on one host against one API (replicas, a test
    suite's): each restart replaces its own key, never another running dashboard's.
    """
    from backend.auth import service as auth_service
    from backend.core.scopes import Scope

    name = f"{purpose} ({socket.gethostname()}:{port})"[:100]
    for key in await auth_service.list_api_keys(include_revoked=False):
        if key.name == name:
            await auth_service.revoke_api_key(key_id=key.id)
    _, secret = await auth_service.create_api_key(name=name, scopes=[Scope(scope)])
    return secret


async def issue_missing_keys(settings: Settings) -> tuple[str, str]:
    """The live feed's read key and Try it's ingest key: the configured ones, else fresh ones."""
    live_feed = (
        settings.dashboard_api_key.get_secret_value()
        if settings.dashboard_api_key
        else await issue_dashboard_key(
            purpose=LIVE_FEED_KEY_PREFIX, scope="read", port=settings.dashboard_port
        )
    )
    try_it = (
        settings.dashboard_ingest_key.get_secret_value()
        if settings.dashboard_ingest_key
        else await issue_dashboard_key(
            purpose=TRY_IT_KEY_PREFIX, scope="ingest", port=settings.dashboard_port
        )
    )
    return live_feed, try_it


def reflex_command(settings: Settings) -> list[str]:
    """`reflex run` in production mode, pages and state backend on one explicit port, logging like the
    product.

    Reflex's own lines follow AGENTOPS_LOG_LEVEL and the format rule of every process (JSON off a terminal).
    """
    reflex = Path(sys.executable).with_name("reflex")
    port = str(settings.dashboard_port)
    command = [
        str(reflex),
        "run",
        "--env",
        "prod",
        "--single-port",
        "--loglevel",
        settings.log_level.lower(),
        "--frontend-port",
        port,
        "--backend-port",
        port,
        "--backend-host",
        settings.dashboard_host,
    ]
    if wants_json(sys.stderr, settings.log_json):
        command.append("--json")
    return command


def run_dashboard(settings: Settings) -> None:
    """Set up (idempotently) and serve the dashboard in the foreground; this process becomes `reflex run`."""
    from backend.cli.orm import run_with_orm

    try:
        bun = ensure_bun()
    except ToolchainError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(code=1) from None
    if settings.dashboard_api_key is not None and settings.dashboard_ingest_key is not None:
        live_feed_key, try_it_key = (
            settings.dashboard_api_key.get_secret_value(),
            settings.dashboard_ingest_key.get_secret_value(),
        )
    else:
        live_feed_key, try_it_key = run_with_orm(settings, lambda: issue_missing_keys(settings))
    env = reflex_environment(settings=settings, bun=bun, live_feed_key=live_feed_key, try_it_key=try_it_key)
    command = reflex_command(settings)
    log.info("dashboard.starting", url=f"http://{settings.dashboard_host}:{settings.dashboard_port}")
    os.chdir(PROJECT_ROOT)  # rxconfig.py and reflex.lock/ live at the project root
    os.execve(command[0], command, env)  # signals (Ctrl-C, SIGTERM from `agentops up`) reach Reflex directly
