"""The shape of an API key: `ak_<prefix>_<secret>`, only its SHA-256 hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

KEY_MARKER = "ak"
PREFIX_LENGTH = 8


@dataclass(frozen=True)
class NewKeyMaterial:
    plaintext: str
    prefix: str
    key_hash: str


def hash_key(plaintext: str) -> str:
    """The stored form of a key."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def generate_key() -> NewKeyMaterial:
    """A fresh random key with its display prefix and hash."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{KEY_MARKER}_{prefix}_{secrets.token_urlsafe(32)}"
    return NewKeyMaterial(plaintext=plaintext, prefix=prefix, key_hash=hash_key(plaintext))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when there is none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
