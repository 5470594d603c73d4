"""Object types by the model rows they present, so one domain can return another domain's rows.

A domain's types module registers its node type for its model (`@presents(Conversation)`); another domain's
resolver returns `as_node(row)` and annotates the field with `strawberry.lazy`, so it never imports that types
module at run time (the import-linter contracts in pyproject.toml keep it so). Every types module is imported
by the schema's assembly (backend/api/schema.py) before the first request, which fills the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

NodeType = TypeVar("NodeType", bound=type)

_PRESENTERS: dict[type, Callable[[Any], Any]] = {}


def presents(model: type) -> Callable[[NodeType], NodeType]:
    """Register the decorated node type (its `from_model`) as the GraphQL face of `model`'s rows."""

    def register(node_type: NodeType) -> NodeType:
        _PRESENTERS[model] = node_type.from_model  # type: ignore[attr-defined]
        return node_type

    return register


def as_node(row: Any) -> Any:
    """The GraphQL object for a model row, by the type registered for its model; None stays None."""
    if row is None:
        return None
    try:
        return _PRESENTERS[type(row)](row)
    except KeyError:
        message = f"no GraphQL type presents {type(row).__name__} rows (is its types module loaded?)"
        raise LookupError(message) from None
