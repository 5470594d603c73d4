"""API key lifecycle: create (shown once), list, revoke, and authenticate a presented key."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

from tortoise.queryset import QuerySet

from backend.auth.keys import generate_key, hash_key
from backend.auth.models import ApiKey
from backend.core.scopes import Caller, Scope, parse_scopes
from backend.db.keyset import Page, newest_first

LAST_USED_EVERY_SECONDS = 60.0


async def create_api_key(
    *, name: str, scopes: list[Scope], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Store a new key and return it with its plaintext, which is never retrievable again."""
    material = generate_key()
    key = await ApiKey.create(
        name=name,
        prefix=material.prefix,
        key_hash=material.key_hash,
        scopes=sorted({scope.value for scope in scopes}),
        expires_at=expires_at,
    )
    return key, material.plaintext


async def revoke_api_key(*, key_id: uuid.UUID) -> ApiKey | None:
    """Mark a key revoked (idempotent); None when no such key exists."""
    key = await ApiKey.get_or_none(id=key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        await key.save(update_fields=["revoked_at"])
    return key


async def find_api_key_by_prefix(*, prefix: str) -> ApiKey | None:
    """The key whose display prefix this is, for the CLI's `keys revoke <prefix>`."""
    return await ApiKey.get_or_none(prefix=prefix)


def _keys(*, include_revoked: bool) -> QuerySet[ApiKey]:
    return ApiKey.all() if include_revoked else ApiKey.filter(revoked_at__isnull=True)


async def list_api_keys(*, include_revoked: bool = True) -> list[ApiKey]:
    """Every key, newest first (for the CLI)."""
    return await _keys(include_revoked=include_revoked).order_by("-created_at")


async def page_api_keys(*, include_revoked: bool, first: int, after: str | None) -> Page[ApiKey]:
    """One page of keys, newest first."""
    return await newest_first(
        _keys(include_revoked=include_revoked), time_field="created_at", first=first, after=after
    )


class ApiKeyAuthenticator:
    """Turns a presented key into a Caller, caching hits briefly so most requests skip the database.

    The cache lifetime bounds how late a revocation reaches this process; only valid keys are cached,
    so a key created a moment ago works at once. When the cache has just expired, the requests that present
    the same key at that moment share one lookup rather than each running its own (a burst of 32 adapters'
    requests cost 32 SELECTs and 32 UPDATEs), and `last_used_at` is written at most once a minute per key: a
    key's last use is a fact for operators, not worth a write per cache lifetime.
    """

    def __init__(
        self, *, ttl_seconds: float, last_used_every_seconds: float = LAST_USED_EVERY_SECONDS
    ) -> None:
        self._ttl = ttl_seconds
        self._last_used_every = last_used_every_seconds
        self._cache: dict[str, tuple[float, Caller]] = {}
        self._lookups: dict[str, asyncio.Task[Caller | None]] = {}
        self._last_used_written: dict[uuid.UUID, float] = {}

    async def authenticate(self, *, token: str) -> Caller | None:
        """The caller for this plaintext key, or None if it is unknown or revoked."""
        digest = hash_key(token)
        cached = self._cache.get(digest)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        lookup = self._lookups.get(digest)
        if lookup is None:
            lookup = self._lookups[digest] = asyncio.ensure_future(self._look_up(digest))
            lookup.add_done_callback(lambda done: self._finished(digest, done))
        # Shielded: a caller that goes away must not cancel the lookup the others are waiting for.
        return await asyncio.shield(lookup)

    def _finished(self, digest: str, lookup: asyncio.Task[Caller | None]) -> None:
        if self._lookups.get(digest) is lookup:
            del self._lookups[digest]
        if not lookup.cancelled():
            lookup.exception()  # retrieved here too: every waiter may have gone before it failed

    async def _look_up(self, digest: str) -> Caller | None:
        self._cache.pop(digest, None)
        key = await ApiKey.get_or_none(key_hash=digest, revoked_at__isnull=True)
        wall_clock, now = datetime.now(UTC), time.monotonic()
        if key is None or (key.expires_at is not None and key.expires_at <= wall_clock):
            return None
        written = self._last_used_written.get(key.id)
        if written is None or now - written >= self._last_used_every:
            await ApiKey.filter(id=key.id).update(last_used_at=wall_clock)
            self._remember_write(key.id, now)
        caller = Caller(key_id=key.id, key_name=key.name, scopes=parse_scopes(key.scopes))
        trusted_for = self._ttl
        if key.expires_at is not None:
            # A cached key must not outlive its expiry.
            trusted_for = min(trusted_for, (key.expires_at - wall_clock).total_seconds())
        if trusted_for > 0:
            self._cache[digest] = (now + trusted_for, caller)
        return caller

    def _remember_write(self, key_id: uuid.UUID, now: float) -> None:
        if (
            len(self._last_used_written) >= 1024
        ):  # keys come and go (dashboard sessions): forget the stale ones
            self._last_used_written = {
                known: at for known, at in self._last_used_written.items() if now - at < self._last_used_every
            }
        self._last_used_written[key_id] = now

    def forget(self, *, key_id: uuid.UUID) -> None:
        """Drop a key from this process's cache (a revocation made here takes effect at once)."""
        for digest, (_, caller) in list(self._cache.items()):
            if caller.key_id == key_id:
                del self._cache[digest]
