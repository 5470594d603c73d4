"""One agent run: the message it answered, its reply, its decision, every tool call with its result, and
how online evaluation scored it (live: the scores appear when they are stored)."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import RUN_STATUS_COLORS, status_badge, synthetic_badge
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.run_parts import tool_calls, violations_table
from frontend.components.scores import scores_table
from frontend.pages.run_detail_state import RunDetailState as State


def _fact(label: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.text(rx.cond(value != "", value, "–"), size="2", weight="medium"),
        spacing="0",
    )


def _summary() -> rx.Component:
    run = State.run
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(run.status, RUN_STATUS_COLORS, size="2", id="run-status"),
                synthetic_badge(run.synthetic),
                rx.heading(run.time, size="4"),
                rx.spacer(),
                rx.cond(
                    run.conversation_href != "",
                    rx.link(
                        rx.hstack(
                            rx.icon("messages-square", size=14), rx.text("Conversation with ", run.customer)
                        ),
                        href=run.conversation_href,
                        id="run-conversation-link",
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.grid(
                _fact("Policy", run.policy),
                _fact("Prompt", run.prompt),
                _fact("Model", run.model),
                _fact("Intent", run.intent),
                _fact("Latency", run.latency),
                _fact("Tokens", run.tokens),
                columns="repeat(auto-fit, minmax(8rem, 1fr))",
                spacing="3",
                width="100%",
            ),
            rx.cond(run.error != "", rx.callout(run.error, icon="triangle_alert", color_scheme="red")),
            width="100%",
        ),
        width="100%",
    )


def _exchange() -> rx.Component:
    run = State.run
    return rx.card(
        rx.vstack(
            rx.text("Customer", size="1", color_scheme="gray"),
            rx.text(
                rx.cond(run.customer_text != "", run.customer_text, "–"), size="2", id="run-customer-text"
            ),
            rx.text("Reply", size="1", color_scheme="gray"),
            rx.text(rx.cond(run.reply_text != "", run.reply_text, "–"), size="2", id="run-reply-text"),
            width="100%",
        ),
        width="100%",
    )


def run_detail_page() -> rx.Component:
    return page_frame(
        "Agent run",
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("All runs", size="2"), align="center"),
            href="/runs",
        ),
        error_callout(State.error, id="run-error"),
        rx.cond(
            State.found,
            rx.vstack(
                _summary(),
                _exchange(),
                rx.card(
                    rx.vstack(
                        rx.heading("Evaluator scores", size="4"),
                        scores_table(State.run.scores, id="run-scores"),
                        width="100%",
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Tool calls", size="4"), tool_calls(State.run.tool_calls), width="100%"
                    ),
                    width="100%",
                ),
                rx.card(
                    rx.vstack(
                        rx.heading("Guardrail violations", size="4"),
                        violations_table(State.run.violations),
                        width="100%",
                    ),
                    width="100%",
                ),
                width="100%",
                spacing="4",
            ),
            rx.callout("No run has this id.", icon="search-x", id="run-missing"),
        ),
    )
