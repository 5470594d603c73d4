"""The Tortoise configuration: one app holding every domain's models, one migrations package."""

from __future__ import annotations

from typing import Any

from backend.settings import Settings

APP_LABEL = "agentops"

# Each domain package that owns tables lists its models module here; migrations live in one package so
# their order across domains is a single, linear history.
MODEL_MODULES = [
    "backend.auth.models",
    "backend.ingest.models",
    "backend.conversations.models",
    "backend.scheduling.models",
    "backend.tickets.models",
    "backend.agent.models",
    "backend.guardrails.models",
    "backend.evals.models",
    "backend.observability.models",
    "backend.incidents.models",
    "backend.simulations.models",
    "backend.users.models",
    "backend.quality.models",
    "backend.channels.sandbox.models",
]
MIGRATIONS_MODULE = "backend.migrations"


async def _keep_session(connection: Any) -> None:
    """Return a connection to the pool as it is.

    asyncpg's default reset runs a query on every release (unlisten, unlock, close cursors, RESET ALL): a
    round trip per pooled statement, a sixth of a worker's CPU in bench/llm.py. Nothing here leaves session
    state behind: advisory locks are transaction-scoped (the migration lock has its own connection), no
    LISTEN, no SET.
    """


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """Tortoise's config dict for these settings."""
    url = settings.database_url
    return {
        "connections": {
            "default": {
                "engine": "tortoise.backends.asyncpg",
                "credentials": {
                    "host": url.hosts()[0]["host"],
                    "port": url.hosts()[0]["port"] or 5432,
                    "user": url.hosts()[0]["username"] or "postgres",
                    "password": url.hosts()[0]["password"] or "",
                    "database": settings.database_name,
                    "minsize": 1,
                    "maxsize": settings.database_pool_size,
                    "reset": _keep_session,
                },
            }
        },
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }
