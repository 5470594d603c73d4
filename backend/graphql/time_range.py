"""A time range in a filter must run forwards and be anchored to a zone; said once here for every filter."""

from __future__ import annotations

from datetime import datetime

from backend.graphql.errors import BadUserInput


def check_range(start: datetime | None, end: datetime | None, *, start_field: str, end_field: str) -> None:
    """BAD_USER_INPUT when an end has no time zone, or when both are given and start is not before end."""
    # A naive instant means a different moment on every server; it also cannot be compared with an aware one.
    for value, name in ((start, start_field), (end, end_field)):
        if value is not None and value.utcoffset() is None:
            raise BadUserInput(
                f"'{name}' needs a time zone offset, e.g. 2026-01-31T09:00:00Z.", field=f"filter.{name}"
            )
    if start and end and start >= end:
        raise BadUserInput(f"'{start_field}' must be before '{end_field}'.", field=f"filter.{start_field}")
