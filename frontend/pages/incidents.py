"""Incidents: every incident with its state, changing live as it is worked."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import synthetic_badge
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.pages.incidents_state import STATUS_FILTERS, IncidentsState

STATUS_COLORS = {"OPEN": "red", "ACKNOWLEDGED": "amber", "RESOLVED": "green"}
SEVERITY_COLORS = {"page": "red", "ticket": "blue"}


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(
        status, color_scheme=rx.match(status, *STATUS_COLORS.items(), "gray"), class_name="incident-status"
    )


def severity_badge(severity: rx.Var) -> rx.Component:
    return rx.badge(
        severity, variant="outline", color_scheme=rx.match(severity, *SEVERITY_COLORS.items(), "gray")
    )


def _row(incident: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(incident["opened"], href="/incidents/" + incident["plain_id"].to(str))),
        rx.table.cell(severity_badge(incident["severity"])),
        rx.table.cell(rx.code(incident["slo"])),
        rx.table.cell(
            rx.hstack(
                status_badge(incident["status"]),
                synthetic_badge(incident["synthetic"]),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(rx.text(incident["summary"], size="2")),
        rx.table.cell(incident["peak"]),
        rx.table.cell(rx.text(incident["acknowledged_by"], size="1")),
        rx.table.cell(rx.text(incident["resolved"], size="1")),
        class_name="incident-row",
        data_incident_id=incident["id"],
    )


def incidents_page() -> rx.Component:
    return page_frame(
        "Incidents",
        rx.hstack(
            rx.text("Status", size="2"),
            rx.select(
                STATUS_FILTERS,
                value=IncidentsState.status_filter,
                on_change=IncidentsState.filter_status,
                id="incident-status-filter",
            ),
            rx.badge("live", color_scheme="green", variant="surface"),
            align="center",
        ),
        error_callout(IncidentsState.error),
        rx.card(
            data_table(
                (
                    "Opened (UTC)",
                    "Severity",
                    "SLO",
                    "Status",
                    "Summary",
                    "Peak burn",
                    "Acknowledged by",
                    "Resolved",
                ),
                IncidentsState.incidents,
                _row,
                body_id="incident-list",
                empty="No incidents.",
            ),
            width="100%",
        ),
    )
