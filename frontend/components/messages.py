"""A message as a chat bubble, the same on the conversation page and in Try it."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import DELIVERY_COLORS, sandbox_badge, status_badge


def delivery_line(message: rx.Var, **props) -> rx.Component:
    """A reply's delivery: its status, a sandbox badge when the sandbox took it, and what the last attempt
    said; nothing for a message that is not delivered (a customer's)."""
    return rx.cond(
        message["delivery"] != "",
        rx.hstack(
            status_badge(message["delivery"], DELIVERY_COLORS, size="1", class_name="delivery-status"),
            sandbox_badge(message["sandbox"]),
            rx.text(message["delivery_note"], size="1", color_scheme="gray"),
            align="center",
            **props,
        ),
    )


def bubble(*content: rx.Component, right: rx.Var, max_width: str, **row_props) -> rx.Component:
    """`content` in a bubble: tinted on the right when `right` (the viewer's own side), grey on the left."""
    return rx.hstack(
        rx.box(
            rx.vstack(*content, spacing="1"),
            background=rx.cond(right, "var(--accent-3)", "var(--gray-3)"),
            padding="0.6rem 0.8rem",
            border_radius="var(--radius-3)",
            max_width=max_width,
        ),
        justify=rx.cond(right, "end", "start"),
        width="100%",
        **row_props,
    )
