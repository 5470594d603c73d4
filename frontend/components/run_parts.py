"""Pieces of an agent run shared by the run, conversation and playground pages: tool calls and guardrail
hits."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import SEVERITY_COLORS, status_badge
from frontend.components.tables import data_table


def code(text: rx.Var, **props) -> rx.Component:
    """JSON or other preformatted text, wrapped, in a monospace box."""
    return rx.box(
        rx.el.pre(text, style={"white_space": "pre-wrap", "word_break": "break-word", "margin": "0"}),
        font_family="var(--code-font-family)",
        font_size="12px",
        background="var(--gray-3)",
        padding="0.5rem",
        border_radius="var(--radius-2)",
        width="100%",
        **props,
    )


def tool_call(call: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("wrench", size=14),
                rx.text(call.name, weight="bold", class_name="tool-call-name"),
                rx.spacer(),
                rx.cond(call.error != "", rx.badge("error", color_scheme="red")),
                rx.text(call.latency, size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.text("Arguments", size="1", color_scheme="gray"),
            code(call.arguments, class_name="tool-call-arguments"),
            rx.cond(
                call.error != "",
                rx.callout(call.error, icon="triangle_alert", color_scheme="red", size="1"),
                rx.fragment(
                    rx.text("Result", size="1", color_scheme="gray"),
                    # A search answers with many rows: the box scrolls rather than push the page on.
                    code(call.result, class_name="tool-call-result", max_height="16rem", overflow_y="auto"),
                ),
            ),
            spacing="1",
            width="100%",
        ),
        size="1",
        width="100%",
        class_name="tool-call",
    )


def tool_calls(calls: rx.Var) -> rx.Component:
    return rx.cond(
        calls.length() > 0,
        rx.vstack(rx.foreach(calls, tool_call), spacing="2", width="100%"),
        rx.text("No tool calls.", size="2", color_scheme="gray"),
    )


def violation(item: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(item.time, size="1", color_scheme="gray", white_space="nowrap")),
        rx.table.cell(rx.badge(item.stage, variant="outline")),
        rx.table.cell(rx.text(item.rule, weight="medium")),
        rx.table.cell(status_badge(item.severity, SEVERITY_COLORS)),
        rx.table.cell(item.action),
        rx.table.cell(
            rx.vstack(
                rx.text(item.message, size="2"),
                rx.text(item.excerpt, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        class_name="violation-row",
    )


def violations_table(items: rx.Var) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        data_table(("Time (UTC)", "Stage", "Rule", "Severity", "Action", "What"), items, violation),
        rx.text("No guardrail violations.", size="2", color_scheme="gray"),
    )
