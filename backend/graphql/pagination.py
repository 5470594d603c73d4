"""One way to page any list: forward cursor connections built from a keyset Page."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from strawberry import relay

from backend.db.keyset import Page
from backend.graphql.errors import BadUserInput

NodeT = TypeVar("NodeT")
DEFAULT_PAGE_SIZE = 20


def page_size(first: int | None, *, maximum: int) -> int:
    """The number of rows to return; a clear error outside 1..maximum."""
    if first is None:
        return min(DEFAULT_PAGE_SIZE, maximum)
    if not 1 <= first <= maximum:
        raise BadUserInput(f"'first' must be between 1 and {maximum}, got {first}.", field="first")
    return first


def to_connection(page: Page, convert: Callable[[object], NodeT]) -> relay.Connection[NodeT]:
    """A Relay connection of a page, each row turned into its GraphQL node."""
    edges = [
        relay.Edge(node=convert(item), cursor=cursor)
        for item, cursor in zip(page.items, page.cursors, strict=False)
    ]
    return relay.Connection(
        edges=edges,
        page_info=relay.PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=False,  # forward-only pagination: clients page with first/after
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
