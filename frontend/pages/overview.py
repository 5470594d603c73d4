"""Overview: live KPIs with sparklines and the conversations as they change."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import synthetic_badge
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.pages.overview_state import OverviewState
from frontend.state.auth import AuthState

STATUS_COLORS = {"OPEN": "green", "HANDED_OFF": "amber", "CLOSED": "gray"}


def _sparkline(field: str) -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.line(
            data_key=field, stroke="var(--accent-9)", dot=False, is_animation_active=False, stroke_width=2
        ),
        data=OverviewState.history,
        width="100%",
        height=36,
    )


def _kpi(
    label: str, value: rx.Var, *, key: str, spark: str | None = None, action: rx.Component | None = None
):
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray", weight="medium"),
            rx.text(value, size="6", weight="bold", id=f"kpi-{key}"),
            _sparkline(spark) if spark else rx.fragment(),
            action or rx.fragment(),
            spacing="1",
            width="100%",
        ),
    )


def _replay_button() -> rx.Component:
    # Hidden from viewers; the API refuses them anyway (scope `operate`).
    return rx.cond(
        AuthState.can_operate,
        rx.button(
            "Replay all",
            size="1",
            variant="soft",
            on_click=OverviewState.replay_dead_letters,
            disabled=~OverviewState.has_dead_letters,
            id="replay-dead-letters",
        ),
    )


def _kpis() -> rx.Component:
    return rx.grid(
        _kpi("Turns / min", OverviewState.turns_per_minute, key="turns-per-minute", spark="turnsPerMinute"),
        _kpi("p95 latency", OverviewState.latency_p95, key="latency-p95", spark="latencyP95Ms"),
        _kpi("Failure rate", OverviewState.failure_rate, key="failure-rate", spark="failureRate"),
        _kpi("Handoff rate", OverviewState.handoff_rate, key="handoff-rate", spark="handoffRate"),
        _kpi("Open incidents", OverviewState.open_incidents, key="open-incidents"),
        _kpi("Queue depth", OverviewState.queue_depth, key="queue-depth", spark="queueDepth"),
        _kpi("Dead letters", OverviewState.dead_letters, key="dead-letters", action=_replay_button()),
        columns="repeat(auto-fit, minmax(9.5rem, 1fr))",
        spacing="3",
        width="100%",
    )


def _conversation_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["time"], size="1", color_scheme="gray")),
        rx.table.cell(rx.badge(row["channel"], variant="outline")),
        rx.table.cell(
            rx.hstack(
                rx.link(row["customer"], href=row["href"], weight="medium", class_name="conversation-link"),
                synthetic_badge(row["synthetic"]),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(
            rx.badge(row["status"], color_scheme=rx.match(row["status"], *STATUS_COLORS.items(), "gray"))
        ),
        rx.table.cell(row["messages"]),
        rx.table.cell(rx.text(row["last_text"], size="2", trim="both")),
        class_name="conversation-row",
        data_conversation_id=row["id"],
    )


def _live_feed() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Recent conversations", size="4"),
                rx.spacer(),
                rx.badge("live", color_scheme="green", variant="surface"),
                width="100%",
            ),
            data_table(
                (
                    "Time (UTC)",
                    "Channel",
                    "Customer",
                    "Status",
                    "Msgs",
                    "Last message",
                ),
                OverviewState.conversations,
                _conversation_row,
                body_id="conversation-feed",
                empty="No conversations yet.",
            ),
            width="100%",
        ),
        width="100%",
    )


def overview_page() -> rx.Component:
    return page_frame(
        "Overview",
        rx.hstack(
            rx.text(OverviewState.window_label, size="2", color_scheme="gray"),
            rx.cond(
                OverviewState.action_message != "",
                rx.text(OverviewState.action_message, size="2", id="action-message"),
            ),
        ),
        error_callout(OverviewState.error),
        _kpis(),
        _live_feed(),
    )
