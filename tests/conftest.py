"""Test services: a database and a Redis index of their own, on real servers (private ones if none answer)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise import connections
from tortoise.exceptions import OperationalError

from backend.auth import service as auth_service
from backend.core.scopes import Scope
from backend.devservices import ensure_services
from backend.settings import PROJECT_ROOT, Settings, get_settings

# Overridable so two suites can run side by side on one machine without emptying each other's tables.
TEST_DATABASE = os.environ.get("AGENTOPS_TEST_DATABASE", "agentops_test")
TEST_REDIS_DB = int(os.environ.get("AGENTOPS_TEST_REDIS_DB", "15"))
TABLES = (
    "eval_scores",
    "incident_notifications",
    "simulations",
    "incident_entries",
    "incidents",
    "metric_points",
    "eval_case_results",
    "eval_runs",
    "eval_cases",
    "eval_suites",
    "guardrail_violations",
    "tool_effects",
    "tool_calls",
    "agent_runs",
    "bookings",
    "tickets",
    "dead_letters",
    "messages",
    "ingest_events",
    "conversations",
    "sandbox_messages",
    "user_sessions",
    "users",
    "api_keys",
    "slots",
    "business_hours",
    "resources",
    "services",
)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PROVIDER_PORT = _free_port()
NOTIFY_SECRET = "test-notify-secret"
WORKER_METRICS_PORT = _free_port()


def _with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def _with_redis_db(url: str, index: int) -> str:
    base = url.split("?")[0].rstrip("/")
    head, _, tail = base.rpartition("/")
    return f"{head}/{index}" if tail.isdigit() and head.count("/") >= 2 else f"{base}/{index}"


async def _recreate_database(url: str) -> None:
    admin = await asyncpg.connect(_with_database(url, "postgres"))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def test_settings() -> Iterator[Settings]:
    """Settings for the suite: the user's servers (or private ones), never the user's database or Redis
    index."""
    configured = Settings(_env_file=None)  # type: ignore[call-arg]
    with ensure_services(
        database_url=_with_database(str(configured.database_url), TEST_DATABASE),
        redis_url=_with_redis_db(str(configured.redis_url), TEST_REDIS_DB),
        data_dir=PROJECT_ROOT / ".agentops" / "test-services",
        # Straight to the terminal: pytest would otherwise swallow which servers the run is using.
        log=lambda line: print(line, file=sys.__stderr__, flush=True),
    ) as endpoints:
        # A fresh database every run: the first start must bring it to the current schema by itself.
        asyncio.run(_recreate_database(endpoints.database_url))
        overrides = {
            "AGENTOPS_DATABASE_URL": endpoints.database_url,
            "AGENTOPS_REDIS_URL": endpoints.redis_url,
            "AGENTOPS_ENVIRONMENT": "test",
            "AGENTOPS_LOG_JSON": "true",
            "AGENTOPS_API_KEY_CACHE_SECONDS": "1",
            # Failures, retries and the reconciler on a test's time scale.
            "AGENTOPS_PROCESS_ATTEMPTS": "3",
            "AGENTOPS_PROCESS_RETRY_DELAY_SECONDS": "0.2",
            "AGENTOPS_PROCESS_RETRY_MAX_DELAY_SECONDS": "0.5",
            "AGENTOPS_RECONCILE_EVERY_SECONDS": "1",
            "AGENTOPS_RECONCILE_STALE_AFTER_SECONDS": "2",
            "AGENTOPS_RATE_LIMIT_PER_SENDER_PER_MINUTE": "1000",
            "AGENTOPS_INGEST_STATS_INTERVAL_SECONDS": "0.3",
            "AGENTOPS_WORKER_CONCURRENCY": "8",
            # Small pools: a run starts up to ~10 API and worker processes against one server (max_connections
            # 100).
            "AGENTOPS_DATABASE_POOL_SIZE": "5",
            # Replies go to a loopback fake provider (the fake_provider fixture) on this port.
            "AGENTOPS_SMS_API_BASE_URL": f"http://127.0.0.1:{PROVIDER_PORT}",
            "AGENTOPS_SMS_ACCOUNT_SID": "AC" + "0" * 32,
            "AGENTOPS_SMS_AUTH_TOKEN": "fake-provider-token",
            "AGENTOPS_SMS_FROM_NUMBER": "+15550009999",
            "AGENTOPS_CHAT_DELIVERY_URL": f"http://127.0.0.1:{PROVIDER_PORT}/hooks/chat",
            "AGENTOPS_VOICE_DELIVERY_URL": f"http://127.0.0.1:{PROVIDER_PORT}/hooks/voice",
            "AGENTOPS_DELIVERY_ATTEMPTS": "4",
            # SLO windows 200x shorter (1 h → 18 s, 5 min → 1.5 s), evaluated every second; incident
            # notifications go to the same loopback fake provider, signed.
            "AGENTOPS_SLO_WINDOW_SCALE": "0.005",
            "AGENTOPS_SLO_EVALUATE_EVERY_SECONDS": "1",
            "AGENTOPS_INCIDENT_SLACK_WEBHOOK_URL": f"http://127.0.0.1:{PROVIDER_PORT}/notify/slack",
            "AGENTOPS_INCIDENT_PAGERDUTY_URL": f"http://127.0.0.1:{PROVIDER_PORT}/notify/pagerduty",
            "AGENTOPS_INCIDENT_PAGERDUTY_ROUTING_KEY": "test-routing-key",
            "AGENTOPS_INCIDENT_WEBHOOK_SECRET": NOTIFY_SECRET,
            "AGENTOPS_NOTIFICATION_ATTEMPTS": "4",
            "AGENTOPS_LIVE_METRICS_INTERVAL_SECONDS": "1",
            # Online evaluation scores every turn the workers answer (the rule evaluators: no model needed).
            "AGENTOPS_QUALITY_SAMPLE_RATE": "1",
            # Worker /metrics: the first worker takes this port, the next ones the ports after it.
            "AGENTOPS_WORKER_METRICS_PORT": str(WORKER_METRICS_PORT),
        }
        previous = {name: os.environ.get(name) for name in overrides}
        os.environ.update(overrides)
        get_settings.cache_clear()
        try:
            yield get_settings()
        finally:
            for name, value in previous.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            get_settings.cache_clear()


@pytest.fixture(scope="session")
async def app(test_settings: Settings) -> AsyncIterator[object]:
    """The API application, started in this process with its real lifespan (migrations included)."""
    from backend.api.app import create_app

    application = create_app(test_settings)
    async with LifespanManager(application, startup_timeout=60, shutdown_timeout=30):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test that uses the app starts from empty tables and an empty Redis index."""
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        # Queue first, so workers still running from the last test find nothing new to start.
        await application.state.services.redis.flushdb()  # type: ignore[attr-defined]
        for attempt in range(10):
            try:
                await connections.get("default").execute_script(f"TRUNCATE {', '.join(TABLES)} CASCADE")
                break
            except (
                OperationalError,
                asyncpg.exceptions.DeadlockDetectedError,
            ):  # a job of the last test was mid-write
                await asyncio.sleep(0.2 * (attempt + 1))
        else:
            raise RuntimeError("could not empty the test tables")
    yield


@pytest.fixture
def make_key(app: object):
    """Create an API key with the given scopes and return its plaintext."""

    async def create(*scopes: Scope, name: str = "test key") -> str:
        _, secret = await auth_service.create_api_key(name=name, scopes=list(scopes))
        return secret

    return create


@pytest.fixture(scope="session")
def live_api(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `agentops api` process (uvicorn) on a free port, for websocket and multi-process tests."""
    from tests.helpers import free_port, spawn_agentops, stop_processes, wait_for_http

    port = free_port()
    log_path = tmp_path_factory.mktemp("live-api") / "api.log"
    process = spawn_agentops("api", log_path=log_path, env={"AGENTOPS_API_PORT": str(port)})
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_processes([process], timeout=20)


@pytest.fixture(scope="session")
def workers(test_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list]:
    """Four real `agentops worker` processes (SAQ) on the test database and Redis index."""
    from tests.helpers import spawn_agentops, stop_processes, wait_for_workers

    log_dir = tmp_path_factory.mktemp("workers")
    processes = [
        spawn_agentops(
            "worker", log_path=log_dir / f"worker-{index}.log", env={"AGENTOPS_WORKER_HEARTBEAT_SECONDS": "1"}
        )
        for index in range(4)
    ]
    try:
        wait_for_workers(str(test_settings.redis_url), processes)
        yield processes
    finally:
        stop_processes(processes)


@pytest.fixture(scope="session")
async def fake_provider(test_settings: Settings) -> AsyncIterator[object]:
    """The loopback SMS/chat/voice provider the workers deliver replies to."""
    from tests.fake_provider import FakeProvider, serve

    provider = FakeProvider()
    async with serve(provider.app(), PROVIDER_PORT):
        yield provider
