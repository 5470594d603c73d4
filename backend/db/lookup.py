"""Rows by primary key, in the order asked: what DataLoaders and node(id) lookups need."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from tortoise.queryset import QuerySet


async def rows_by_id(query: QuerySet[Any], ids: Sequence[uuid.UUID]) -> list[Any | None]:
    """The rows of `query` with these ids, one statement, in the order of `ids`; None where there is none."""
    found = {row.id: row for row in await query.filter(id__in=list(ids))}
    return [found.get(row_id) for row_id in ids]
