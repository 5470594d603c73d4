"""One conversation: the thread with delivery status, the agent's runs, bookings, tickets, guardrail hits and
evaluator scores, and what an operator can do about it (a golden case in one click from a low score)."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import (
    CONVERSATION_STATUS_COLORS,
    RUN_STATUS_COLORS,
    status_badge,
    synthetic_badge,
)
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.messages import bubble, delivery_line
from frontend.components.run_parts import tool_calls, violations_table
from frontend.components.scores import scores_table
from frontend.pages.conversation_detail_state import ConversationDetailState as State
from frontend.state.auth import AuthState

DEFAULT_GOLDEN_SUITE = "support"


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"), rx.text(value, size="2", weight="medium"), spacing="0"
    )


def _header() -> rx.Component:
    conversation = State.conversation
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.heading(conversation["customer"], size="5", id="conversation-customer"),
                    rx.badge(conversation["channel"], variant="outline"),
                    status_badge(
                        conversation["status"], CONVERSATION_STATUS_COLORS, id="conversation-status"
                    ),
                    synthetic_badge(conversation["synthetic"]),
                    align="center",
                ),
                rx.cond(
                    conversation["handoff_reason"] != "",
                    rx.text(
                        "Handed off ",
                        conversation["handed_off"],
                        ": ",
                        conversation["handoff_reason"],
                        size="2",
                        color_scheme="amber",
                    ),
                ),
                spacing="1",
            ),
            rx.spacer(),
            _fact("Started (UTC)", conversation["started"]),
            _fact("Last activity (UTC)", conversation["last_activity"]),
            _fact("Messages", conversation["messages"]),
            spacing="5",
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _message(message: rx.Var) -> rx.Component:
    return bubble(
        rx.hstack(
            rx.text(message["author"], size="1", weight="bold"),
            rx.text("#", message["sequence"], " · ", message["time"], size="1", color_scheme="gray"),
            spacing="2",
        ),
        rx.text(message["text"], size="2", white_space="pre-wrap"),
        delivery_line(message),
        right=message["direction"] == "OUTBOUND",  # the business's side
        max_width="80%",
        class_name="thread-message",
        data_direction=message["direction"],
        data_author=message["author"],
    )


def _thread() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Thread", size="4"),
            rx.vstack(rx.foreach(State.messages, _message), spacing="2", width="100%", id="thread"),
            rx.cond(State.messages.length() == 0, rx.text("No messages yet.", size="2", color_scheme="gray")),
            rx.cond(
                State.has_more_messages,
                rx.button(
                    "Load more messages",
                    variant="soft",
                    size="1",
                    on_click=State.load_more_messages,
                    id="load-more-messages",
                ),
            ),
            width="100%",
        ),
        width="100%",
    )


def _actions() -> rx.Component:
    # Only for roles that may act; the API refuses the others anyway (scope `operate`).
    return rx.cond(
        AuthState.can_operate,
        rx.card(
            rx.vstack(
                rx.heading("Act", size="4"),
                rx.form(
                    rx.vstack(
                        rx.text_area(
                            name="text",
                            placeholder="Reply to the customer as a human…",
                            id="reply-text",
                            width="100%",
                            rows="3",
                        ),
                        rx.button(rx.icon("send", size=14), "Send reply", type="submit", id="send-reply"),
                        width="100%",
                        align="end",
                    ),
                    on_submit=State.send_reply,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.cond(
                    State.handed_off,
                    rx.button(
                        rx.icon("bot", size=14),
                        "Return to the agent",
                        variant="soft",
                        color_scheme="amber",
                        on_click=State.return_to_agent,
                        id="return-to-agent",
                    ),
                ),
                rx.form(
                    rx.hstack(
                        rx.input(
                            name="suite",
                            default_value=DEFAULT_GOLDEN_SUITE,
                            placeholder="suite",
                            id="golden-suite",
                            width="9rem",
                        ),
                        rx.input(
                            name="name", placeholder="case name (optional)", id="golden-name", width="100%"
                        ),
                        rx.button(
                            rx.icon("star", size=14),
                            "Make golden",
                            type="submit",
                            variant="soft",
                            id="make-golden",
                        ),
                        width="100%",
                    ),
                    on_submit=State.make_golden,
                    width="100%",
                ),
                rx.cond(
                    State.action_message != "",
                    rx.callout(State.action_message, icon="check", color_scheme="green", id="action-message"),
                ),
                error_callout(State.action_error, id="action-error"),
                width="100%",
            ),
            width="100%",
        ),
        rx.callout("Read only: your role can look but not act on conversations.", icon="eye", id="read-only"),
    )


def _run(run: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(run.status, RUN_STATUS_COLORS),
                rx.link(run.time, href=run.href, size="2", class_name="run-link"),
                rx.text(run.policy, " · ", run.prompt, size="1", color_scheme="gray"),
                rx.spacer(),
                rx.foreach(
                    run.scores,
                    lambda score: rx.cond(
                        score.verdict == "fail",
                        rx.badge(
                            score.evaluator, " ", score.score, color_scheme="red", class_name="run-low-score"
                        ),
                    ),
                ),
                rx.cond(run.intent != "", rx.badge(run.intent, variant="soft")),
                rx.text(run.latency, size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.cond(
                run.error != "", rx.callout(run.error, icon="triangle_alert", color_scheme="red", size="1")
            ),
            tool_calls(run.tool_calls),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="conversation-run",
    )


def _runs() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Agent runs", size="4"),
            rx.text("Newest first, each with the tools it called.", size="1", color_scheme="gray"),
            rx.foreach(State.runs, _run),
            rx.cond(
                State.runs.length() == 0,
                rx.text("The agent has not answered here.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                State.more_runs_possible,
                rx.button(
                    "Show more runs", size="1", variant="soft", on_click=State.show_more_runs, id="more-runs"
                ),
            ),
            width="100%",
        ),
        width="100%",
    )


def _make_golden_from_low_score() -> rx.Component:
    return rx.cond(
        AuthState.can_operate,
        rx.hstack(
            rx.button(
                rx.icon("star", size=14),
                "Make golden",
                on_click=State.make_golden_from_low_score,
                color_scheme="amber",
                id="make-golden-from-score",
            ),
            rx.text(
                "into the from-production suite: the case expects the failed evaluator to pass there.",
                size="1",
                color_scheme="gray",
            ),
            align="center",
        ),
    )


def _scores() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Evaluator scores", size="4"),
            rx.text("Online evaluation of this thread's turns, oldest first.", size="1", color_scheme="gray"),
            scores_table(State.scores, with_run=True, id="conversation-scores"),
            rx.cond(State.low_scored, _make_golden_from_low_score()),
            rx.cond(
                State.golden_message != "",
                rx.callout(State.golden_message, icon="check", color_scheme="green", id="golden-made"),
            ),
            error_callout(State.golden_error, id="golden-error"),
            width="100%",
        ),
        width="100%",
    )


def _simple_table(title: str, rows: rx.Var, columns: list[tuple[str, str]], empty: str, row_class: str):
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4"),
            rx.cond(
                rows.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(label) for label, _ in columns])
                    ),
                    rx.table.body(
                        rx.foreach(
                            rows,
                            lambda row: rx.table.row(
                                *[rx.table.cell(row[key]) for _, key in columns], class_name=row_class
                            ),
                        )
                    ),
                    size="1",
                    width="100%",
                ),
                rx.text(empty, size="2", color_scheme="gray"),
            ),
            width="100%",
        ),
        width="100%",
    )


def _records() -> rx.Component:
    return rx.vstack(
        _simple_table(
            "Bookings",
            State.bookings,
            [("Status", "status"), ("What", "what"), ("When (UTC)", "when"), ("For", "customer")],
            "No bookings.",
            "booking-row",
        ),
        _simple_table(
            "Tickets",
            State.tickets,
            [
                ("Subject", "subject"),
                ("Priority", "priority"),
                ("Status", "status"),
                ("Opened (UTC)", "time"),
            ],
            "No tickets.",
            "ticket-row",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Guardrail violations", size="4"), violations_table(State.violations), width="100%"
            ),
            width="100%",
        ),
        width="100%",
        spacing="4",
    )


def conversation_detail_page() -> rx.Component:
    return page_frame(
        "Conversation",
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("All conversations", size="2"), align="center"),
            href="/conversations",
        ),
        error_callout(State.error, id="conversation-error"),
        rx.cond(
            State.found,
            rx.vstack(
                _header(),
                _scores(),
                rx.grid(
                    rx.vstack(_thread(), _actions(), width="100%", spacing="4"),
                    rx.vstack(_runs(), _records(), width="100%", spacing="4"),
                    columns="2",
                    spacing="4",
                    width="100%",
                ),
                width="100%",
                spacing="4",
            ),
            rx.callout("No conversation has this id.", icon="search-x", id="conversation-missing"),
        ),
    )
