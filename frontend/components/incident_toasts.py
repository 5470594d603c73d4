"""A toast on every page when an incident opens, fed by the shared live feed's `incident` updates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from frontend.ids import node_id

# An alert about an incident opened longer ago than this is a change to an old incident, not news.
FRESH_FOR = timedelta(minutes=2)
MAX_TOASTS = 3


class IncidentToastState(rx.State):
    toasts: list[dict[str, str]] = []
    _announced: set[str] = set()

    def apply_update(self, kind: str, incident: dict[str, Any]) -> None:
        """Show a toast for an incident that has just opened (once per incident)."""
        if incident["status"] != "OPEN" or incident["id"] in self._announced:
            return
        opened = datetime.fromisoformat(incident["openedAt"])
        if datetime.now(UTC) - opened > FRESH_FOR:
            return
        self._announced.add(incident["id"])
        toast = {
            "id": incident["id"],
            "severity": incident["severity"],
            "slo": incident["slo"],
            "summary": incident["summary"],
        }
        self.toasts = [toast, *self.toasts][:MAX_TOASTS]

    @rx.event
    def dismiss(self, incident_id: str):
        self.toasts = [toast for toast in self.toasts if toast["id"] != incident_id]

    @rx.event
    def open_incident(self, incident_id: str):
        """Go to the incident (its address holds the plain id)."""
        self.dismiss(incident_id)
        return rx.redirect(f"/incidents/{node_id(incident_id)}")


def _toast(toast: rx.Var) -> rx.Component:
    return rx.callout.root(
        rx.hstack(
            rx.callout.icon(rx.icon("siren")),
            rx.vstack(
                rx.text(
                    rx.text.strong("Incident opened · "), toast["severity"], " · ", toast["slo"], size="2"
                ),
                rx.text(toast["summary"], size="1"),
                rx.hstack(
                    rx.button("Open", size="1", on_click=IncidentToastState.open_incident(toast["id"])),
                    rx.button(
                        "Dismiss",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=IncidentToastState.dismiss(toast["id"]),
                    ),
                ),
                spacing="1",
            ),
            align="start",
        ),
        color_scheme="red",
        variant="surface",
        class_name="incident-toast",
        data_incident_id=toast["id"],
        background="var(--color-panel-solid)",
        box_shadow="var(--shadow-5)",
        width="24rem",
    )


def incident_toasts() -> rx.Component:
    """The stack of toasts, bottom right above the page."""
    return rx.vstack(
        rx.foreach(IncidentToastState.toasts, _toast),
        position="fixed",
        bottom="1rem",
        right="1rem",
        z_index="1000",
        spacing="2",
        id="incident-toasts",
    )
