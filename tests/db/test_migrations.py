"""Migrations bring a fresh database to the current schema by themselves, once, even when replicas race."""

import asyncio
import os
import sys

import asyncpg
from tortoise import connections

from backend.db.migrations import apply_migrations, pending_migrations
from backend.settings import PROJECT_ROOT
from tests.conftest import TEST_DATABASE

EXPECTED_TABLES = {"api_keys", "ingest_events", "conversations", "messages", "tortoise_migrations"}
MIGRATION_FILES = sorted(path.stem for path in (PROJECT_ROOT / "backend" / "migrations").glob("[0-9]*.py"))


async def test_fresh_database_reached_the_current_schema_at_start_up(app):
    # The suite dropped and recreated its database before the app started: nothing else created tables.
    _, rows = await connections.get("default").execute_query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    )
    assert {row["tablename"] for row in rows} >= EXPECTED_TABLES
    _, applied = await connections.get("default").execute_query(
        "SELECT name FROM tortoise_migrations ORDER BY name"
    )
    assert [row["name"] for row in applied] == MIGRATION_FILES


async def test_restarting_applies_nothing(app, test_settings):
    config = app.state.services.tortoise_config
    assert await pending_migrations(config) == []
    assert await apply_migrations(settings=test_settings, config=config) == []


async def test_two_replicas_starting_together_apply_each_migration_once(test_settings):
    url = str(test_settings.database_url).rsplit("/", 1)[0]
    # Named after this suite's database: two suites running side by side must not race on one another's.
    race_db = f"{TEST_DATABASE}_race"
    admin = await asyncpg.connect(f"{url}/postgres")
    await admin.execute(f'DROP DATABASE IF EXISTS "{race_db}" WITH (FORCE)')
    await admin.close()

    env = {**os.environ, "AGENTOPS_DATABASE_URL": f"{url}/{race_db}"}
    replicas = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "backend.cli.main",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for _ in range(3)
    ]
    outputs = await asyncio.gather(*(replica.communicate() for replica in replicas))
    assert [replica.returncode for replica in replicas] == [0, 0, 0], [
        out[0].decode()[-2000:] for out in outputs
    ]

    check = await asyncpg.connect(f"{url}/{race_db}")
    try:
        rows = await check.fetch("SELECT name, count(*) AS times FROM tortoise_migrations GROUP BY name")
    finally:
        await check.close()
    assert {row["name"]: row["times"] for row in rows} == {name: 1 for name in MIGRATION_FILES}
    applied_logs = sum(out[0].decode().count("migrations.applied") for out in outputs)
    assert applied_logs == 1
