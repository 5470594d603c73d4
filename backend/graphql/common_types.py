"""Typed, expected errors that mutations return as members of their result unions."""

from __future__ import annotations

import strawberry


@strawberry.type(description="The input was refused; nothing was changed.")
class ValidationError:
    field: str
    message: str


@strawberry.type(description="No object with this id exists (or it is not visible to this key).")
class NotFoundError:
    id: strawberry.ID
    message: str
