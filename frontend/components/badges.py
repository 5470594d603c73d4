"""Colours that mean the same on every page."""

from __future__ import annotations

import reflex as rx

CONVERSATION_STATUS_COLORS = {"OPEN": "green", "HANDED_OFF": "amber", "CLOSED": "gray"}
RUN_STATUS_COLORS = {"OK": "green", "FAILED": "red", "HANDED_OFF": "amber"}
DELIVERY_COLORS = {"SENT": "green", "QUEUED": "blue", "SENDING": "cyan", "FAILED": "red", "UNCERTAIN": "amber"}
SEVERITY_COLORS = {"LOW": "gray", "MEDIUM": "amber", "HIGH": "orange", "CRITICAL": "red"}


def status_badge(value: rx.Var, colors: dict[str, str], **props) -> rx.Component:
    return rx.badge(value, color_scheme=rx.match(value, *colors.items(), "gray"), **props)
