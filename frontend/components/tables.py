"""The dashboard's lists: one table shape for every page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import reflex as rx


def data_table(
    columns: Sequence[str],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    *,
    body_id: str | None = None,
    empty: str | None = None,
) -> rx.Component:
    """`rows` under `columns`, one `render_row(row)` each; `empty` is said beneath when there are none."""
    table = rx.table.root(
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(title) for title in columns])),
        rx.table.body(rx.foreach(rows, render_row), **({"id": body_id} if body_id else {})),
        size="1",
        width="100%",
    )
    if empty is None:
        return table
    return rx.fragment(table, rx.cond(rows.length() == 0, rx.text(empty, size="2", color_scheme="gray")))
