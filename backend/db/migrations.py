"""Apply committed Tortoise migrations at start-up, one process at a time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import structlog
from tortoise.connection import get_connection
from tortoise.migrations.executor import MigrationExecutor

from backend.db.database import server_dsn
from backend.settings import Settings

log = structlog.get_logger(__name__)

# An arbitrary, fixed 64-bit key: every replica of this product contends for the same advisory lock.
MIGRATION_LOCK_KEY = 0x4147_454E_544F_5053  # "AGENTOPS"


def _executor(config: dict[str, Any]) -> MigrationExecutor:
    return MigrationExecutor(get_connection("default"), config["apps"])


@asynccontextmanager
async def _migration_lock(settings: Settings) -> AsyncIterator[None]:
    # The lock lives on its own connection: Tortoise's pool may run each migration on a different one,
    # and a session-level advisory lock belongs to the session that took it.
    connection = await asyncpg.connect(server_dsn(settings, database=settings.database_name), timeout=10)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield
    finally:
        await connection.close()  # closing the session releases the lock, even after an error


async def pending_migrations(config: dict[str, Any]) -> list[str]:
    """Names of migrations not yet applied (Tortoise must be initialised)."""
    steps = await _executor(config).plan()
    return [f"{step.migration.app_label}.{step.migration.name}" for step in steps if not step.backward]


async def apply_migrations(*, settings: Settings, config: dict[str, Any]) -> list[str]:
    """Apply every pending migration under a Postgres advisory lock; returns what was applied."""
    async with _migration_lock(settings):
        # Checked again under the lock: a replica that waited finds the work done and applies nothing.
        pending = await pending_migrations(config)
        if pending:
            await _executor(config).migrate()
            log.info("migrations.applied", migrations=pending)
        return pending
