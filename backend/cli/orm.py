"""Run a coroutine with the ORM ready (database created, migrations applied) and closed afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise import Tortoise

from backend.db.config import tortoise_config
from backend.db.database import ensure_database
from backend.db.migrations import apply_migrations
from backend.settings import Settings

T = TypeVar("T")


async def _with_orm(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    config = tortoise_config(settings)
    await ensure_database(settings)
    await Tortoise.init(config=config)
    try:
        await apply_migrations(settings=settings, config=config)
        return await work()
    finally:
        await Tortoise.close_connections()


def run_with_orm(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run `work` inside an initialised, migrated ORM."""
    return asyncio.run(_with_orm(settings, work))
