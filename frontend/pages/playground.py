"""The playground: try customer messages on the agent as a dry run and see its replies and tool calls."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import RUN_STATUS_COLORS, status_badge
from frontend.components.choices import choice
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.run_parts import tool_calls
from frontend.pages.playground_state import DEFAULT_POLICY
from frontend.pages.playground_state import PlaygroundState as State
from frontend.state.auth import AuthState


def _form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.text_area(
                    name="messages",
                    id="playground-messages",
                    rows="4",
                    width="100%",
                    placeholder="One customer message per line, e.g.\nCan I book a haircut tomorrow at 3pm?",
                ),
                rx.hstack(
                    choice(
                        "Policy",
                        [(DEFAULT_POLICY, "The deployment's"), ("rules", "rules"), ("openai", "openai")],
                        value=State.policy,
                        on_change=State.set_policy,
                        id="playground-policy",
                    ),
                    rx.vstack(
                        rx.text("Prompt version", size="1", color_scheme="gray", weight="medium"),
                        rx.input(
                            name="prompt_version",
                            placeholder="the deployment's",
                            width="10rem",
                            id="playground-prompt-version",
                        ),
                        spacing="1",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("play", size=14),
                        "Run dry",
                        type="submit",
                        loading=State.busy,
                        id="playground-run",
                    ),
                    align="end",
                    width="100%",
                ),
                rx.text(
                    "Dry run: the agent decides and calls its tools, then everything is rolled back — "
                    "nothing "
                    "is booked, stored or sent.",
                    size="1",
                    color_scheme="gray",
                ),
                width="100%",
            ),
            on_submit=State.respond,
            width="100%",
        ),
        width="100%",
    )


def _turn(turn: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Customer", size="1", color_scheme="gray"),
                rx.spacer(),
                rx.cond(turn.status != "", status_badge(turn.status, RUN_STATUS_COLORS)),
                rx.text(turn.latency, size="1", color_scheme="gray"),
                width="100%",
            ),
            rx.text(turn.customer_text, size="2"),
            rx.text("Agent", size="1", color_scheme="gray"),
            rx.text(turn.reply, size="2", weight="medium", class_name="playground-reply"),
            rx.text("Tool calls it would make", size="1", color_scheme="gray"),
            tool_calls(turn.tool_calls),
            width="100%",
        ),
        width="100%",
        class_name="playground-turn",
    )


def playground_page() -> rx.Component:
    return page_frame(
        "Playground",
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=14), rx.text("Agent runs", size="2"), align="center"),
            href="/runs",
        ),
        rx.cond(
            AuthState.can_operate,
            rx.vstack(
                _form(),
                error_callout(State.error, id="playground-error"),
                rx.cond(
                    State.used != "", rx.text(State.used, size="1", color_scheme="gray", id="playground-used")
                ),
                rx.foreach(State.turns, _turn),
                width="100%",
                spacing="4",
            ),
            rx.callout(
                "The playground runs the agent; your role can read runs but not run the agent.",
                icon="eye",
                id="playground-read-only",
            ),
        ),
    )
