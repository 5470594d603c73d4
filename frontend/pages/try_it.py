"""Try it: write as a customer on SMS, chat or a voice transcript; the thread and what the agent did, live."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import RUN_STATUS_COLORS, status_badge
from frontend.components.choices import choice
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.messages import bubble, delivery_line
from frontend.components.run_parts import tool_calls, violations_table
from frontend.pages.try_it_state import CHANNELS
from frontend.pages.try_it_state import TryItState as State
from frontend.state.auth import AuthState

EXAMPLE = "Can I book a haircut tomorrow?"


def _composer() -> rx.Component:
    # Channel and customer stay outside the form: resetting it after a send clears only what was said.
    return rx.card(
        rx.vstack(
            rx.hstack(
                choice(
                    "Channel", CHANNELS, value=State.channel, on_change=State.set_channel, id="try-it-channel"
                ),
                rx.vstack(
                    rx.text("Customer", size="1", color_scheme="gray", weight="medium"),
                    rx.input(
                        default_value=State.customer,
                        key=State.customer,
                        on_blur=State.set_customer,
                        width="16rem",
                        id="try-it-customer",
                    ),
                    spacing="1",
                ),
                rx.button(
                    rx.icon("user-plus", size=14),
                    "New customer",
                    variant="soft",
                    type="button",
                    on_click=State.new_customer,
                    id="try-it-new-customer",
                ),
                align="end",
                spacing="3",
            ),
            rx.form(
                rx.vstack(
                    rx.text_area(
                        name="text",
                        id="try-it-text",
                        rows="3",
                        width="100%",
                        placeholder=f"What the customer says, e.g. {EXAMPLE}",
                    ),
                    rx.hstack(
                        rx.text(State.delivery, size="1", color_scheme="gray", id="try-it-delivery"),
                        rx.spacer(),
                        rx.button(
                            rx.icon("send", size=14), "Send as the customer", type="submit", id="try-it-send"
                        ),
                        align="center",
                        width="100%",
                    ),
                    width="100%",
                ),
                on_submit=State.send,
                reset_on_submit=True,
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
    )


def _message(message: rx.Var) -> rx.Component:
    return bubble(
        rx.text(message["author"], " · ", message["time"], size="1", color_scheme="gray"),
        rx.text(message["text"], size="2", white_space="pre-wrap", class_name="try-it-text"),
        delivery_line(message, wrap="wrap"),
        right=message["direction"] == "INBOUND",  # the customer's messages on the right, as on their phone
        max_width="85%",
        class_name="try-it-message",
        data_author=message["author"],
        data_delivery=message["delivery"],
    )


def _thread() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("The conversation", size="4"),
                rx.spacer(),
                rx.cond(
                    State.conversation_status != "",
                    status_badge(
                        State.conversation_status, {"OPEN": "green", "HANDED_OFF": "amber", "CLOSED": "gray"}
                    ),
                ),
                rx.cond(
                    State.conversation_href != "",
                    rx.link(
                        rx.hstack(
                            rx.text("Open the conversation", size="2"),
                            rx.icon("arrow-right", size=14),
                            align="center",
                        ),
                        href=State.conversation_href,
                        id="try-it-conversation",
                    ),
                ),
                align="center",
                width="100%",
            ),
            rx.vstack(rx.foreach(State.messages, _message), spacing="2", width="100%", id="try-it-thread"),
            rx.cond(
                State.messages.length() == 0,
                rx.text("Nothing yet: send the first message above.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                State.progress != "",
                rx.hstack(
                    rx.spinner(size="1"),
                    rx.text(State.progress, size="2", color_scheme="gray"),
                    align="center",
                    id="try-it-progress",
                ),
            ),
            width="100%",
        ),
        width="100%",
    )


def _run(run: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(run.status, RUN_STATUS_COLORS),
                rx.text(run.policy, " · ", run.prompt, size="1", color_scheme="gray"),
                rx.cond(run.model != "", rx.text(run.model, size="1", color_scheme="gray")),
                rx.spacer(),
                rx.text(run.latency, size="1", color_scheme="gray"),
                rx.link(rx.icon("external-link", size=14), href=run.href),
                align="center",
                width="100%",
            ),
            rx.text("“", run.customer_text, "”", size="2", color_scheme="gray"),
            rx.cond(run.intent != "", rx.text("Intent: ", run.intent, size="1")),
            rx.text("Tool calls", size="1", color_scheme="gray", weight="medium"),
            tool_calls(run.tool_calls),
            rx.text("Guardrail hits", size="1", color_scheme="gray", weight="medium"),
            violations_table(run.violations),
            rx.cond(
                run.error != "", rx.callout(run.error, icon="triangle_alert", color_scheme="red", size="1")
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        class_name="try-it-run",
    )


def _runs() -> rx.Component:
    return rx.vstack(
        rx.heading("What the agent did", size="4"),
        rx.cond(
            State.runs.length() == 0,
            rx.text(
                "Each answer's run appears here: its tool calls and guardrail hits.",
                size="2",
                color_scheme="gray",
            ),
        ),
        rx.vstack(rx.foreach(State.runs, _run), spacing="3", width="100%", id="try-it-runs"),
        width="100%",
        spacing="3",
    )


def try_it_page() -> rx.Component:
    return page_frame(
        "Try it",
        rx.text(
            "Write as a customer would. The message goes through the real ingest path, the agent answers it "
            "with its tools, and the reply goes out through the delivery job; everything lands in the "
            "conversation and the metrics like any customer's.",
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            AuthState.can_operate,
            _composer(),
            rx.callout(
                "Writing as a customer sends real events through the ingest path: operators and admins only. "
                "You can watch a thread here.",
                icon="eye",
                id="try-it-read-only",
            ),
        ),
        error_callout(State.error, id="try-it-error"),
        rx.grid(_thread(), _runs(), columns="2", spacing="4", width="100%", align="start"),
    )
