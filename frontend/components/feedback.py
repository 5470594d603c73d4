"""How pages say that something went wrong or that there is nothing to show."""

from __future__ import annotations

import reflex as rx


def error_callout(message: rx.Var, *, id: str | None = None) -> rx.Component:
    """The API's own words when it refuses or cannot answer (never a traceback); `id` where the page names
    it."""
    named = {"id": id} if id is not None else {}
    return rx.cond(message != "", rx.callout(message, icon="triangle_alert", color_scheme="red", **named))


def empty_state(condition: rx.Var, text: str | rx.Var, *, id: str) -> rx.Component:
    return rx.cond(condition, rx.center(rx.text(text, color_scheme="gray", size="2"), padding="2rem", id=id))
