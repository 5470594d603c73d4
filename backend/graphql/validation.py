"""Validate mutation input with pydantic and turn the first problem into a typed ValidationError."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from backend.graphql.common_types import ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def validate_input(
    model: type[ModelT], data: dict[str, Any], *, context: dict[str, Any] | None = None
) -> ModelT | ValidationError:
    """The validated model, or a ValidationError naming the field (in GraphQL's camelCase) and why."""
    try:
        return model.model_validate(data, context=context)
    except PydanticValidationError as error:
        problem = error.errors()[0]
        field = ".".join(to_camel(str(part)) for part in problem["loc"]) or "input"
        return ValidationError(field=field, message=_client_message(problem))


def _client_message(problem: Any) -> str:
    """Pydantic's message without its 'Value error, ' prefix, which names a Python exception to the client."""
    raised = (problem.get("ctx") or {}).get("error")
    if problem["type"] in ("value_error", "assertion_error") and raised is not None and str(raised):
        return str(raised)
    return problem["msg"]
