"""Relay global ids and the plain ids that go in dashboard URLs (base64 may hold '/' or '+')."""

from __future__ import annotations

import base64


def global_id(type_name: str, node_id: str) -> str:
    """The API's id of `type_name` object `node_id`."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def node_id(value: str) -> str:
    """The plain id inside an API id (empty when it is not one)."""
    try:
        _, _, plain = base64.b64decode(value, validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return ""
    return plain
