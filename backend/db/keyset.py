"""Keyset (seek) pagination: stable pages over a (timestamp, id) order, fast at any depth."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.queryset import QuerySet

ModelT = TypeVar("ModelT", bound=Model)


class InvalidCursor(ValueError):
    """A cursor that this server did not produce."""


@dataclass(frozen=True)
class Page(Generic[ModelT]):
    items: list[ModelT]
    cursors: list[str]
    has_next_page: bool


def encode_cursor(timestamp: datetime, row_id: uuid.UUID) -> str:
    """An opaque cursor pointing just after this row."""
    raw = json.dumps([timestamp.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The (timestamp, id) a cursor points at; InvalidCursor when it is malformed."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        timestamp, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(timestamp)
        parsed = moment, uuid.UUID(row_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as error:
        raise InvalidCursor(f"malformed cursor {cursor[:40]!r}") from error
    # Every cursor this server makes carries an offset; a naive one was forged and would seek the wrong rows.
    if moment.utcoffset() is None:
        raise InvalidCursor(f"malformed cursor {cursor[:40]!r}")
    return parsed


async def newest_first(
    query: QuerySet[ModelT], *, time_field: str, first: int, after: str | None
) -> Page[ModelT]:
    """One page of `query` ordered by (time_field, id) descending, starting after the cursor."""
    if after:
        timestamp, row_id = decode_cursor(after)
        query = query.filter(
            Q(**{f"{time_field}__lt": timestamp}) | Q(**{time_field: timestamp, "id__lt": row_id})
        )
    # One extra row tells whether another page exists without a COUNT.
    rows = await query.order_by(f"-{time_field}", "-id").limit(first + 1)
    items = rows[:first]
    return Page(
        items=items,
        cursors=[encode_cursor(getattr(item, time_field), item.id) for item in items],
        has_next_page=len(rows) > first,
    )


def encode_position(position: int) -> str:
    """An opaque cursor for an ordinal position (e.g. a message's place in its thread)."""
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def decode_position(cursor: str) -> int:
    """The position a cursor from encode_position points at; InvalidCursor when malformed."""
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()).decode()
        marker, _, value = raw.partition(":")
        if marker != "pos":
            raise ValueError(marker)
        return int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise InvalidCursor(f"malformed cursor {cursor[:40]!r}") from error
