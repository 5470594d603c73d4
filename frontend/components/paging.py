"""Previous / next controls for a cursor-paged table, and the rows-per-page choice."""

from __future__ import annotations

import reflex as rx

from frontend.state.paging import CursorPages

PAGE_SIZES = ["10", "25", "50", "100"]


def pager(pages: type[CursorPages], *, id_prefix: str) -> rx.Component:
    """Buttons that walk `pages` one at a time (cursors only go forward; previous pages are remembered)."""
    return rx.hstack(
        rx.text("Rows per page", size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id=f"{id_prefix}-page-size"),
            rx.select.content(*[rx.select.item(size, value=size) for size in PAGE_SIZES]),
            value=pages.page_size,
            on_change=pages.set_page_size,
            size="1",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=14),
            "Previous",
            size="1",
            variant="soft",
            disabled=~pages.has_previous,
            on_click=pages.previous_page,
            id=f"{id_prefix}-previous",
        ),
        rx.text("Page ", pages.page_number, size="2", id=f"{id_prefix}-page-number"),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=14),
            size="1",
            variant="soft",
            disabled=~pages.has_next,
            on_click=pages.next_page,
            id=f"{id_prefix}-next",
        ),
        align="center",
        width="100%",
        spacing="2",
    )
