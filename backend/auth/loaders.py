"""Batch loads of API keys, one query per request whatever the number of keys asked for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.auth.models import ApiKey


async def load_api_keys_by_id(ids: Sequence[uuid.UUID]) -> list[ApiKey | None]:
    """Keys in the order of `ids`, None where there is no such key."""
    found = {key.id: key for key in await ApiKey.filter(id__in=list(ids))}
    return [found.get(key_id) for key_id in ids]
