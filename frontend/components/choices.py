"""A labelled select whose choices are (value, label) pairs."""

from __future__ import annotations

import reflex as rx


def choice(label: str, options: list[tuple[str, str]], *, value: rx.Var, on_change, id: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.select.root(
            rx.select.trigger(id=id, min_width="8rem"),
            rx.select.content(*[rx.select.item(text, value=option) for option, text in options]),
            value=value,
            on_change=on_change,
            size="2",
        ),
        spacing="1",
    )
