"""Browser sessions in Redis: the user's API token, e-mail, role and expiry, under a hash of the cookie's id.

The browser holds only a random id (256 bits) in an HTTP-only cookie; the API token never leaves the server.
Every dashboard process reads the same entries, so a login made through one replica holds on all, and deleting
an entry ends the session for every tab of that browser. An entry expires with its API token. Redis holds
nothing here that logging in again does not rebuild.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis

KEY_PREFIX = "agentops:dashboard:session:"


@dataclass(frozen=True)
class BrowserSession:
    """A logged-in browser: whose it is, the API token its pages call with, and when it ends."""

    token: str
    email: str
    role: str
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at <= (now or datetime.now(UTC))


def session_key(session_id: str) -> str:
    """Where a session lives: a hash of the cookie's id, so Redis's keys (and the tabs' state) never hold a
    cookie."""
    return KEY_PREFIX + hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Creates, finds and ends browser sessions; `create` hands out the id, every other call takes its key."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def create(self, *, token: str, email: str, role: str, expires_at: datetime) -> str:
        """Store a new session until `expires_at` and return the id for the browser's cookie."""
        if expires_at <= datetime.now(UTC):
            raise ValueError("a session must end in the future")
        session_id = secrets.token_urlsafe(32)
        entry = {"token": token, "email": email, "role": role, "expiresAt": expires_at.isoformat()}
        await self._redis.set(
            session_key(session_id), json.dumps(entry), pxat=int(expires_at.timestamp() * 1000)
        )
        return session_id

    async def find(self, key: str) -> BrowserSession | None:
        """The session stored under `key`, unless it ended or expired."""
        raw = await self._redis.get(key)
        session = _parse(raw)
        return session if session is not None and not session.expired() else None

    async def end(self, key: str) -> BrowserSession | None:
        """Delete the session and return what it was (None when it had already ended): the delete is atomic,
        so of two concurrent logouts exactly one gets the token to revoke."""
        return _parse(await self._redis.getdel(key))

    async def still_open(self, keys: Collection[str]) -> set[str]:
        """Which of these sessions still exist, in one round trip."""
        ordered = list(keys)
        if not ordered:
            return set()
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in ordered:
                pipe.exists(key)
            found = await pipe.execute()
        return {key for key, exists in zip(ordered, found, strict=True) if exists}


def _parse(raw: bytes | str | None) -> BrowserSession | None:
    if raw is None:
        return None
    entry = json.loads(raw)
    return BrowserSession(
        token=entry["token"],
        email=entry["email"],
        role=entry["role"],
        expires_at=datetime.fromisoformat(entry["expiresAt"]),
    )
