"""Previous / next controls for a cursor-paged table, and the rows-per-page choice."""

from __future__ import annotations

import reflex as rx

PAGE_SIZES = ["10", "25", "50", "100"]


def pager(
    *,
    page_number: rx.Var,
    has_previous: rx.Var,
    has_next: rx.Var,
    page_size: rx.Var,
    on_previous,
    on_next,
    on_page_size,
    id_prefix: str,
) -> rx.Component:
    """Buttons that walk the pages one at a time (cursors only go forward; previous pages are remembered)."""
    return rx.hstack(
        rx.text("Rows per page", size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id=f"{id_prefix}-page-size"),
            rx.select.content(*[rx.select.item(size, value=size) for size in PAGE_SIZES]),
            value=page_size,
            on_change=on_page_size,
            size="1",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("chevron-left", size=14),
            "Previous",
            size="1",
            variant="soft",
            disabled=~has_previous,
            on_click=on_previous,
            id=f"{id_prefix}-previous",
        ),
        rx.text("Page ", page_number, size="2", id=f"{id_prefix}-page-number"),
        rx.button(
            "Next",
            rx.icon("chevron-right", size=14),
            size="1",
            variant="soft",
            disabled=~has_next,
            on_click=on_next,
            id=f"{id_prefix}-next",
        ),
        align="center",
        width="100%",
        spacing="2",
    )
