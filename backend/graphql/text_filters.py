"""A text filter compared with a column must fit it: the ORM refuses longer values with an internal error."""

from __future__ import annotations

from tortoise.models import Model

from backend.graphql.errors import BadUserInput


def column_length(model: type[Model], column: str) -> int:
    """The max_length of a CharField, read from the model so the limit is stated once."""
    return model._meta.fields_map[column].max_length  # type: ignore[attr-defined]


def check_text_filter(value: str | None, *, field: str, max_length: int) -> None:
    """BAD_USER_INPUT when `value` could never equal a stored value: longer than the column, or holding
    NUL."""
    if value is None:
        return
    if len(value) > max_length:
        raise BadUserInput(f"'{field}' may be at most {max_length} characters.", field=field)
    # PostgreSQL text cannot hold NUL; the driver would fail on it rather than find nothing.
    if "\x00" in value:
        raise BadUserInput(f"'{field}' must not contain NUL characters.", field=field)
