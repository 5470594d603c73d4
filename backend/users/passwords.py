"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    return _hasher().hash("decoy password that no user has")


def hash_password(password: str) -> str:
    """The stored form of a password (salted; the parameters travel inside the hash)."""
    return _hasher().hash(password)


def verify_password(*, password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown user) it spends the same time and says no."""
    try:
        return _hasher().verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash uses weaker parameters than today's, so a login should replace it."""
    return _hasher().check_needs_rehash(password_hash)
