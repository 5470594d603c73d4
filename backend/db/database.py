"""Create the configured database when it does not exist yet, so a fresh server needs no manual step."""

from __future__ import annotations

import asyncpg

from backend.settings import Settings


def server_dsn(settings: Settings, *, database: str = "postgres") -> str:
    """The configured server's DSN with another database name (the maintenance one by default)."""
    host = settings.database_url.hosts()[0]
    credentials = host["username"] or "postgres"
    if host["password"]:
        credentials += f":{host['password']}"
    return f"postgres://{credentials}@{host['host']}:{host['port'] or 5432}/{database}"


async def ensure_database(settings: Settings) -> bool:
    """Create the configured database if missing; True when it was created."""
    connection = await asyncpg.connect(server_dsn(settings), timeout=10)
    try:
        exists = await connection.fetchval(
            "SELECT 1 FROM pg_database WHERE datname = $1", settings.database_name
        )
        if exists:
            return False
        try:
            # Identifiers cannot be bound as parameters; quote it the way Postgres does.
            quoted = '"' + settings.database_name.replace('"', '""') + '"'
            await connection.execute(f"CREATE DATABASE {quoted}")
        except (asyncpg.DuplicateDatabaseError, asyncpg.UniqueViolationError):
            return False  # another process created it between our check and our CREATE
        return True
    finally:
        await connection.close()
