"""Agent runs: every turn the agent took, filtered (also by how an evaluator scored it) and paged, each
opening its own detail."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import RUN_STATUS_COLORS, status_badge, synthetic_badge
from frontend.components.choices import choice
from frontend.components.feedback import empty_state, error_callout
from frontend.components.layout import page_frame
from frontend.components.paging import pager
from frontend.components.tables import data_table
from frontend.pages.runs_state import RunsState as State
from frontend.views.runs import ANY

COLUMNS = ("Time (UTC)", "Status", "Policy", "Prompt", "Intent", "Latency", "Tools", "Scores", "Conversation")


def _evaluator_choice() -> rx.Component:
    # The evaluators come from the API (the files on disk), so the options are built in the page.
    return rx.vstack(
        rx.text("Evaluator", size="1", color_scheme="gray", weight="medium"),
        rx.select.root(
            rx.select.trigger(id="run-filter-evaluator", min_width="10rem"),
            rx.select.content(
                rx.foreach(
                    State.evaluator_choices,
                    lambda option: rx.select.item(option["label"], value=option["value"]),
                )
            ),
            value=State.evaluator,
            on_change=lambda value: State.set_filter("evaluator", value),
            size="2",
        ),
        spacing="1",
    )


def _typed_filter(label: str, *, field: str, **attributes) -> rx.Component:
    """A labelled text filter, applied when it loses focus (and with the form's Apply)."""
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray", weight="medium"),
        rx.input(
            name=field,
            default_value=getattr(State, field),
            on_blur=lambda value: State.set_text_filter(field, value),
            **attributes,
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.hstack(
        choice(
            "Status",
            [(ANY, "Any status"), ("OK", "OK"), ("FAILED", "Failed"), ("HANDED_OFF", "Handed off")],
            value=State.status,
            on_change=lambda value: State.set_filter("status", value),
            id="run-filter-status",
        ),
        choice(
            "Policy",
            [(ANY, "Any policy"), ("rules", "rules"), ("openai", "openai")],
            value=State.policy,
            on_change=lambda value: State.set_filter("policy", value),
            id="run-filter-policy",
        ),
        _evaluator_choice(),
        choice(
            "Verdict",
            [(ANY, "Any verdict"), ("FAILED", "Failed only"), ("PASSED", "Passed only")],
            value=State.verdict,
            on_change=lambda value: State.set_filter("verdict", value),
            id="run-filter-verdict",
        ),
        rx.form(
            rx.hstack(
                _typed_filter(
                    "Prompt version",
                    field="prompt_version",
                    placeholder="e.g. v2",
                    width="8rem",
                    id="run-filter-prompt-version",
                ),
                _typed_filter(
                    "Latency at least (ms)",
                    field="min_latency_ms",
                    placeholder="e.g. 500",
                    width="9rem",
                    id="run-filter-min-latency",
                    type="number",
                    min="0",
                ),
                _typed_filter(
                    "Score at most",
                    field="max_score",
                    placeholder="0 to 1",
                    width="6rem",
                    id="run-filter-max-score",
                    type="number",
                    min="0",
                    max="1",
                    step="0.05",
                ),
                rx.button(
                    rx.icon("filter", size=14), "Apply", type="submit", variant="soft", id="run-filter-apply"
                ),
                align="end",
                spacing="3",
            ),
            on_submit=State.apply_text_filters,
        ),
        rx.spacer(),
        rx.button(
            rx.icon("refresh-cw", size=14),
            "Refresh",
            variant="soft",
            on_click=State.refresh,
            id="refresh-runs",
        ),
        rx.link(
            rx.button(rx.icon("flask-conical", size=14), "Playground", id="open-playground"),
            href="/runs/playground",
        ),
        spacing="4",
        align="end",
        wrap="wrap",
        width="100%",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(row["time"], href=row["href"], size="1", white_space="nowrap", class_name="run-link")
        ),
        rx.table.cell(
            rx.hstack(
                status_badge(row["status"], RUN_STATUS_COLORS),
                synthetic_badge(row["synthetic"]),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(row["policy"]),
        rx.table.cell(rx.text(row["prompt"], size="1")),
        rx.table.cell(row["intent"]),
        rx.table.cell(rx.text(row["latency"], white_space="nowrap")),
        rx.table.cell(rx.text(row["tools"], size="1")),
        rx.table.cell(
            rx.text(
                rx.cond(row["quality"] != "", row["quality"], "–"),
                size="1",
                color_scheme=rx.cond(row["low_scored"] != "", "red", "gray"),
                class_name="run-scores",
            )
        ),
        rx.table.cell(
            rx.cond(
                row["conversation_href"] != "",
                rx.link(row["customer"], href=row["conversation_href"], size="2"),
                "–",
            )
        ),
        class_name="run-row",
        data_run_id=row["id"],
    )


def runs_page() -> rx.Component:
    return page_frame(
        "Agent runs",
        _filters(),
        error_callout(State.error, id="runs-error"),
        rx.card(
            rx.vstack(
                data_table(COLUMNS, State.rows, _row, body_id="run-table"),
                empty_state(
                    State.rows.length() == 0,
                    rx.cond(State.filtered, "No run matches these filters.", "The agent has not run yet."),
                    id="runs-empty",
                ),
                pager(State, id_prefix="runs"),
                width="100%",
            ),
            width="100%",
        ),
    )
