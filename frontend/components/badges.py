"""Colours that mean the same on every page."""

from __future__ import annotations

import reflex as rx

CONVERSATION_STATUS_COLORS = {"OPEN": "green", "HANDED_OFF": "amber", "CLOSED": "gray"}
RUN_STATUS_COLORS = {"OK": "green", "FAILED": "red", "HANDED_OFF": "amber"}
DELIVERY_COLORS = {
    "SENT": "green",
    "QUEUED": "blue",
    "SENDING": "cyan",
    "FAILED": "red",
    "UNCERTAIN": "amber",
}
SEVERITY_COLORS = {"LOW": "gray", "MEDIUM": "amber", "HIGH": "orange", "CRITICAL": "red"}


SYNTHETIC_HINT = (
    "Backdated demo history, written into the tables by `agentops seed` / `make up`: "
    "not real traffic, and no agent made it."
)


SANDBOX_HINT = (
    "Delivered to the built-in sandbox provider (AGENTOPS_SANDBOX_DELIVERY): recorded as sent, "
    "but no customer received it."
)


def status_badge(value: rx.Var, colors: dict[str, str], **props) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, *colors.items(), "gray"), **props)


def synthetic_badge(flag: rx.Var) -> rx.Component:
    """A "synthetic" badge where the row is demo history (`flag` is "synthetic" or "", see
    views.formatting)."""
    return rx.cond(
        flag != "",
        rx.tooltip(
            rx.badge("synthetic", color_scheme="purple", variant="surface", class_name="synthetic-badge"),
            content=SYNTHETIC_HINT,
        ),
    )


def sandbox_badge(flag: rx.Var) -> rx.Component:
    """A "sandbox" badge on a reply the built-in sandbox took (`flag` is "sandbox" or "")."""
    return rx.cond(
        flag != "",
        rx.tooltip(
            rx.badge("sandbox", color_scheme="iris", variant="surface", size="1", class_name="sandbox-badge"),
            content=SANDBOX_HINT,
        ),
    )
