"""A time range in a filter must run forwards; said once here for every filter that has one."""

from __future__ import annotations

from datetime import datetime

from backend.graphql.errors import BadUserInput


def check_range(start: datetime | None, end: datetime | None, *, start_field: str, end_field: str) -> None:
    """BAD_USER_INPUT when both ends are given and start is not before end."""
    if start and end and start >= end:
        raise BadUserInput(f"'{start_field}' must be before '{end_field}'.", field=f"filter.{start_field}")
