"""Use the configured PostgreSQL and Redis if they answer, else private ones."""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from .private_postgres import start_private_postgres
from .private_redis import start_private_redis
from .probe import postgres_reachable, redis_reachable


@dataclass(frozen=True)
class ServiceEndpoints:
    """URLs to use for the session, and which servers were started for it."""

    database_url: str
    redis_url: str
    started_postgres: bool
    started_redis: bool


@contextmanager
def ensure_services(
    *,
    database_url: str,
    redis_url: str,
    data_dir: pathlib.Path,
    log: Callable[[str], object] = print,
) -> Iterator[ServiceEndpoints]:
    """Yield reachable endpoints, starting private servers (stopped on exit) as needed."""
    # ExitStack stops whatever was started, in reverse order, on any exit:
    # normal, exception, KeyboardInterrupt, or a failure starting the second one.
    with ExitStack() as stack:
        started_postgres = not postgres_reachable(database_url)
        if started_postgres:
            postgres = start_private_postgres(data_dir=data_dir / "postgres")
            stack.callback(postgres.stop)
            private_url = postgres.url(database=_database_name(database_url))
            log(
                f"PostgreSQL at {_address(database_url)} is not reachable; started a private "
                f"one at {private_url} (data in {postgres.pgdata})"
            )
            database_url = private_url

        started_redis = not redis_reachable(redis_url)
        if started_redis:
            redis = start_private_redis(data_dir=data_dir / "redis")
            stack.callback(redis.stop)
            private_url = redis.url(db=_redis_db(redis_url))
            log(
                f"Redis at {_address(redis_url)} is not reachable; started a private "
                f"valkey-server at {private_url}"
            )
            redis_url = private_url

        yield ServiceEndpoints(database_url, redis_url, started_postgres, started_redis)


def _address(url: str) -> str:
    """Return host:port of `url`, leaving out credentials that must not be logged."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


def _database_name(url: str) -> str:
    """Return the database name in a PostgreSQL URL (`postgres` if it names none)."""
    return urlsplit(url).path.lstrip("/") or "postgres"


def _redis_db(url: str) -> int:
    """Return the database index in a Redis URL (0 if it names none)."""
    parts = urlsplit(url)
    # redis-py accepts the index in the path (/3) or as a query parameter (?db=3).
    return int(parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0])
