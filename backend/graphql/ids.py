"""Turning the id part of a global id back into a database key."""

import uuid

from backend.graphql.errors import BadUserInput


def parse_uuid(value: str, *, field: str = "id") -> uuid.UUID:
    """The UUID in `value`; a BAD_USER_INPUT error naming the field when it is not one."""
    try:
        return uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        raise BadUserInput(
            f"'{field}' does not identify an object: {str(value)[:60]!r}.", field=field
        ) from None
