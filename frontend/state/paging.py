"""Tables read one cursor page at a time (a state mixin): Next walks forward; Previous goes back through the
cursors seen so far, since a cursor only points forward."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx


class CursorPages(rx.State, mixin=True):
    rows: list[dict[str, str]] = []
    page_size: str = "25"
    page_number: int = 1
    has_next: bool = False
    error: str = ""
    # The `after` cursor of each page walked so far.
    _trail: list[str] = []
    _end_cursor: str = ""

    @rx.event
    async def next_page(self):
        if self.has_next:
            return await self._fetch(trail=[*self._trail, self._end_cursor])
        return None

    @rx.event
    async def previous_page(self):
        if self._trail:
            return await self._fetch(trail=self._trail[:-1])
        return None

    @rx.event
    async def set_page_size(self, size: str):
        """Rows per page changed: back to the first page."""
        self.page_size = size
        return await self._fetch(trail=[])

    @rx.event
    async def refresh(self):
        """Read the page shown again (after changes it could not place live)."""
        return await self._fetch(trail=self._trail)

    @rx.var
    def has_previous(self) -> bool:
        return self.page_number > 1

    async def _fetch(self, *, trail: list[str]):
        """Read the page that starts after the last cursor of `trail` (the first page for an empty trail)."""
        raise NotImplementedError

    def _page_variables(self, *, trail: list[str], chosen: dict[str, Any]) -> dict[str, Any]:
        return {"first": int(self.page_size), "after": trail[-1] if trail else None, "filter": chosen or None}

    def _show_page(
        self, connection: dict[str, Any], *, trail: list[str], row: Callable[..., dict[str, str]]
    ) -> None:
        """The connection's edges as rows (`row(node, cursor=...)`), and where this page stands."""
        self.error = ""
        self.rows = [row(edge["node"], cursor=edge["cursor"]) for edge in connection["edges"]]
        self.has_next = connection["pageInfo"]["hasNextPage"]
        self._end_cursor = connection["pageInfo"]["endCursor"] or ""
        self._trail = trail
        self.page_number = len(trail) + 1
