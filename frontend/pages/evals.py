"""Evals: suites, runs with pass rates, Run evals with live progress, and a comparison that shows
regressions."""

from __future__ import annotations

import reflex as rx

from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.pages.evals_state import EvalsState
from frontend.state.auth import AuthState

STATUS_COLORS = {"COMPLETED": "green", "RUNNING": "blue", "QUEUED": "gray", "FAILED": "red"}


def _run_controls() -> rx.Component:
    # Hidden from viewers; the API refuses them anyway (scope `operate`).
    return rx.cond(
        AuthState.can_operate,
        rx.hstack(
            rx.select(
                EvalsState.suite_names,
                value=EvalsState.suite_to_run,
                on_change=EvalsState.choose_suite,
                id="eval-suite-select",
            ),
            rx.button(
                rx.icon("play", size=14),
                "Run evals",
                on_click=EvalsState.run_evals,
                loading=EvalsState.starting,
                id="run-evals",
            ),
            rx.text(EvalsState.message, size="2", color_scheme="gray", id="eval-message"),
            align="center",
        ),
    )


def _suite_row(suite: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(suite["name"], weight="medium")),
        rx.table.cell(rx.code(suite["version"])),
        rx.table.cell(suite["caseCount"]),
        rx.table.cell(suite["versions"]),
    )


def _suites() -> rx.Component:
    return rx.card(
        rx.heading("Golden suites", size="4"),
        data_table(("Suite", "Newest version", "Cases", "Versions"), EvalsState.latest_suites, _suite_row),
        width="100%",
    )


def _progress(run: rx.Var) -> rx.Component:
    return rx.cond(
        (run["status"] == "QUEUED") | (run["status"] == "RUNNING"),
        rx.hstack(
            rx.progress(value=run["progress"], width="8rem"),
            rx.text(run["done"], "/", run["total"], size="1"),
            align="center",
            class_name="eval-progress",
        ),
        rx.text(run["pass_rate"], weight="bold", class_name="eval-pass-rate"),
    )


def _run_row(run: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(run["created"], href="/evals/run/" + run["plain_id"].to(str))),
        rx.table.cell(rx.text(run["suite"], weight="medium")),
        rx.table.cell(rx.code(run["version"])),
        rx.table.cell(run["policy"], " · ", run["prompt"]),
        rx.table.cell(
            rx.badge(run["status"], color_scheme=rx.match(run["status"], *STATUS_COLORS.items(), "gray"))
        ),
        rx.table.cell(run["passed"], " / ", run["total"]),
        rx.table.cell(_progress(run)),
        class_name="eval-run-row",
        data_run_id=run["id"],
    )


def _runs() -> rx.Component:
    return rx.card(
        rx.heading("Runs", size="4"),
        data_table(
            (
                "Started (UTC)",
                "Suite",
                "Version",
                "Policy · prompt",
                "Status",
                "Passed",
                "Pass rate",
            ),
            EvalsState.runs,
            _run_row,
            body_id="eval-runs",
        ),
        width="100%",
    )


def _case_list(title: str, names: rx.Var, color: str, element_id: str) -> rx.Component:
    return rx.vstack(
        rx.text(title, weight="bold", size="2"),
        rx.foreach(names, lambda name: rx.badge(name, color_scheme=color, variant="soft")),
        rx.cond(names.length() == 0, rx.text("none", size="1", color_scheme="gray")),
        id=element_id,
        spacing="1",
    )


def _comparison() -> rx.Component:
    choice = lambda option: rx.select.item(option[1], value=option[0])  # noqa: E731
    result = EvalsState.comparison
    return rx.card(
        rx.heading("Compare runs", size="4"),
        rx.hstack(
            rx.text("Base", size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="base run"),
                rx.select.content(rx.foreach(EvalsState.run_choices, choice)),
                value=EvalsState.base_run,
                on_change=EvalsState.choose_base,
            ),
            rx.text("Head", size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="head run"),
                rx.select.content(rx.foreach(EvalsState.run_choices, choice)),
                value=EvalsState.head_run,
                on_change=EvalsState.choose_head,
            ),
            align="center",
            margin_y="0.5rem",
        ),
        rx.cond(
            EvalsState.comparison,
            rx.vstack(
                rx.hstack(
                    rx.text(
                        "Pass rate ",
                        result["base_rate"],
                        " → ",
                        result["head_rate"],
                        " (",
                        result["delta"],
                        ")",
                        weight="medium",
                    ),
                    rx.text("McNemar p = ", result["p_value"], size="2", color_scheme="gray"),
                    rx.cond(
                        result["significantDrop"],
                        rx.badge("significant drop", color_scheme="red"),
                        rx.badge("no significant drop", color_scheme="green"),
                    ),
                    align="center",
                ),
                rx.hstack(
                    _case_list(
                        "Regressions (passed → failed)",
                        result["regressions"].to(list[str]),
                        "red",
                        "comparison-regressions",
                    ),
                    _case_list(
                        "Fixes (failed → passed)", result["fixes"].to(list[str]), "green", "comparison-fixes"
                    ),
                    rx.text(
                        result["unchangedPassing"],
                        " unchanged passing, ",
                        result["unchangedFailing"],
                        " unchanged failing",
                        size="2",
                        color_scheme="gray",
                    ),
                    align="start",
                    spacing="6",
                ),
                id="eval-comparison",
            ),
            rx.text("Pick two finished runs.", size="2", color_scheme="gray"),
        ),
        width="100%",
    )


def evals_page() -> rx.Component:
    return page_frame(
        "Evals",
        error_callout(EvalsState.error),
        _run_controls(),
        _runs(),
        rx.grid(_suites(), _comparison(), columns="2", spacing="4", width="100%"),
    )
