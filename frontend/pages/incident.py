"""One incident: its timeline, notifications, linked metrics and conversations; acknowledge, note, resolve."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import synthetic_badge
from frontend.components.charts import series_chart
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.pages.incidents import severity_badge, status_badge
from frontend.pages.incidents_state import IncidentsState
from frontend.state.auth import AuthState

INCIDENT = IncidentsState.incident


def _actions() -> rx.Component:
    # Hidden from viewers; the API refuses them anyway (scope `operate`).
    status = INCIDENT["status"]
    return rx.cond(
        AuthState.can_operate,
        rx.card(
            rx.hstack(
                rx.button(
                    "Acknowledge",
                    on_click=IncidentsState.act("acknowledge"),
                    disabled=status != "OPEN",
                    id="incident-acknowledge",
                ),
                rx.button(
                    "Resolve",
                    color_scheme="green",
                    variant="soft",
                    on_click=IncidentsState.act("resolve"),
                    disabled=status == "RESOLVED",
                    id="incident-resolve",
                ),
                rx.input(
                    placeholder="Note for the timeline",
                    value=IncidentsState.note,
                    on_change=IncidentsState.set_note,
                    width="24rem",
                    id="incident-note",
                ),
                rx.button(
                    "Add note", variant="soft", on_click=IncidentsState.act("note"), id="incident-add-note"
                ),
                rx.text(IncidentsState.message, size="2", color_scheme="gray", id="incident-message"),
                align="center",
                wrap="wrap",
            ),
            id="incident-actions",
        ),
    )


def _timeline() -> rx.Component:
    return rx.card(
        rx.heading("Timeline", size="4"),
        rx.vstack(
            rx.foreach(
                INCIDENT["timeline"].to(list[dict[str, str]]),
                lambda entry: rx.hstack(
                    rx.text(
                        entry["at"], size="1", color_scheme="gray", white_space="nowrap", flex_shrink="0"
                    ),
                    rx.badge(entry["kind"], variant="soft"),
                    rx.text(entry["text"], size="2"),
                    rx.text("— ", entry["actor"], size="1", color_scheme="gray", white_space="nowrap"),
                    align="center",
                    class_name="timeline-entry",
                ),
            ),
            id="incident-timeline",
            spacing="2",
            margin_top="0.5rem",
        ),
        width="100%",
    )


def _notifications() -> rx.Component:
    return rx.card(
        rx.heading("Notifications", size="4"),
        data_table(
            ("At", "Target", "Action", "Status", "Attempts", "Response", "Error"),
            INCIDENT["notifications"].to(list[dict[str, str]]),
            lambda sent: rx.table.row(
                rx.table.cell(sent["at"]),
                rx.table.cell(sent["target"]),
                rx.table.cell(sent["action"]),
                rx.table.cell(rx.badge(sent["status"])),
                rx.table.cell(sent["attempts"]),
                rx.table.cell(sent["response"]),
                rx.table.cell(rx.text(sent["error"], size="1")),
            ),
        ),
        width="100%",
    )


def _examples() -> rx.Component:
    return rx.card(
        rx.heading("Example conversations", size="4"),
        rx.vstack(
            rx.foreach(
                IncidentsState.examples,
                lambda row: rx.hstack(
                    rx.badge(row["channel"], variant="outline"),
                    rx.link(row["customer"], href=row["href"], weight="medium", size="2"),
                    rx.badge(row["status"], variant="soft"),
                    rx.text(row["text"], size="1", color_scheme="gray"),
                    align="center",
                    class_name="incident-example",
                ),
            ),
            rx.cond(
                IncidentsState.examples.length() == 0, rx.text("None linked.", size="2", color_scheme="gray")
            ),
            spacing="2",
        ),
        width="100%",
    )


def incident_page() -> rx.Component:
    return page_frame(
        "Incident",
        rx.link("← All incidents", href="/incidents", size="2"),
        error_callout(IncidentsState.error),
        rx.cond(
            IncidentsState.incident,
            rx.vstack(
                rx.hstack(
                    severity_badge(INCIDENT["severity"]),
                    rx.code(INCIDENT["slo"]),
                    rx.box(status_badge(INCIDENT["status"]), id="incident-detail-status"),
                    synthetic_badge(INCIDENT["synthetic"]),
                    rx.text(INCIDENT["summary"], weight="medium"),
                    align="center",
                ),
                rx.text(
                    "Opened ",
                    INCIDENT["opened"],
                    " · peak burn ",
                    INCIDENT["peak"],
                    " · acknowledged by ",
                    rx.cond(INCIDENT["acknowledged_by"] != "", INCIDENT["acknowledged_by"], "nobody yet"),
                    size="2",
                    color_scheme="gray",
                ),
                _actions(),
                rx.grid(
                    rx.foreach(IncidentsState.charts, series_chart), columns="3", spacing="3", width="100%"
                ),
                rx.grid(_timeline(), _examples(), columns="2", spacing="3", width="100%"),
                _notifications(),
                spacing="4",
                width="100%",
            ),
        ),
    )
