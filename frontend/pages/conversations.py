"""Conversations: every thread, filtered and paged, with rows that change as the conversations do."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import CONVERSATION_STATUS_COLORS, status_badge, synthetic_badge
from frontend.components.choices import choice
from frontend.components.feedback import empty_state, error_callout
from frontend.components.layout import page_frame
from frontend.components.paging import pager
from frontend.components.tables import data_table
from frontend.pages.conversations_state import ConversationsState as State
from frontend.views.conversations import ANY, TIME_RANGES

COLUMNS = ("Last activity (UTC)", "Channel", "Customer", "Status", "Msgs", "Last message")


def _filters() -> rx.Component:
    return rx.hstack(
        choice(
            "Channel",
            [(ANY, "Any channel"), ("SMS", "SMS"), ("CHAT", "Chat"), ("VOICE", "Voice")],
            value=State.channel,
            on_change=lambda value: State.set_filter("channel", value),
            id="filter-channel",
        ),
        choice(
            "Status",
            [(ANY, "Any status"), ("OPEN", "Open"), ("HANDED_OFF", "Handed off"), ("CLOSED", "Closed")],
            value=State.status,
            on_change=lambda value: State.set_filter("status", value),
            id="filter-status",
        ),
        choice(
            "Handed off",
            [(ANY, "Either"), ("YES", "Handed off at some point"), ("NO", "Never handed off")],
            value=State.handed_off,
            on_change=lambda value: State.set_filter("handed_off", value),
            id="filter-handed-off",
        ),
        choice(
            "Last activity",
            [(label, "Any time" if label == ANY else f"Last {label.lower()}") for label in TIME_RANGES],
            value=State.time_range,
            on_change=lambda value: State.set_filter("time_range", value),
            id="filter-time-range",
        ),
        rx.form(
            rx.vstack(
                rx.text("Text in any message", size="1", color_scheme="gray", weight="medium"),
                rx.hstack(
                    rx.input(
                        name="text",
                        placeholder="e.g. haircut",
                        default_value=State.text,
                        id="filter-text",
                        width="14rem",
                    ),
                    rx.button(
                        rx.icon("search", size=14),
                        "Search",
                        type="submit",
                        variant="soft",
                        id="filter-text-submit",
                    ),
                    spacing="2",
                ),
                spacing="1",
            ),
            on_submit=State.search,
        ),
        spacing="4",
        align="end",
        wrap="wrap",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["time"], size="1", color_scheme="gray", white_space="nowrap")),
        rx.table.cell(rx.badge(row["channel"], variant="outline")),
        rx.table.cell(
            rx.hstack(
                rx.link(row["customer"], href=row["href"], weight="medium", class_name="conversation-link"),
                synthetic_badge(row["synthetic"]),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(status_badge(row["status"], CONVERSATION_STATUS_COLORS)),
        rx.table.cell(row["messages"]),
        rx.table.cell(rx.text(row["last_text"], size="2")),
        class_name="conversation-row",
        data_conversation_id=row["id"],
    )


def _unseen_notice() -> rx.Component:
    return rx.cond(
        State.unseen_changes > 0,
        rx.callout(
            rx.hstack(
                rx.text(State.unseen_changes, " conversation(s) changed that this page cannot place live."),
                rx.button(
                    "Refresh", size="1", variant="soft", on_click=State.refresh, id="refresh-conversations"
                ),
                align="center",
            ),
            icon="refresh-cw",
            id="unseen-changes",
        ),
    )


def _table() -> rx.Component:
    return rx.card(
        rx.vstack(
            data_table(COLUMNS, State.rows, _row, body_id="conversation-table"),
            empty_state(
                State.rows.length() == 0,
                rx.cond(State.filtered, "No conversation matches these filters.", "No conversations yet."),
                id="conversations-empty",
            ),
            pager(State, id_prefix="conversations"),
            width="100%",
        ),
        width="100%",
    )


def conversations_page() -> rx.Component:
    return page_frame(
        "Conversations",
        _filters(),
        error_callout(State.error, id="conversations-error"),
        _unseen_notice(),
        _table(),
    )
