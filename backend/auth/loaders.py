"""Batch loads of API keys, one query per request whatever the number of keys asked for."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.auth.models import ApiKey
from backend.db.lookup import rows_by_id


async def load_api_keys_by_id(ids: Sequence[uuid.UUID]) -> list[ApiKey | None]:
    """Keys in the order of `ids`, None where there is no such key."""
    return await rows_by_id(ApiKey.all(), ids)
