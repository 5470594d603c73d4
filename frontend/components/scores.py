"""Evaluator scores as a table, shared by the run and conversation pages (rows: views.quality.ScoreView)."""

from __future__ import annotations

import reflex as rx

from frontend.components.badges import status_badge
from frontend.components.tables import data_table

VERDICT_COLORS = {"pass": "green", "fail": "red", "skipped": "gray"}
SKIPPED_HINT = (
    "The judge was not asked (over its token budget, or its endpoint failed): no score, "
    "and it is never charged to a quality SLO."
)


def _score(item: rx.Var, *, with_run: bool) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(item.evaluator, weight="medium", class_name="score-evaluator"),
                rx.text(item.kind, " ", item.version, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.cond(
                item.verdict == "skipped",
                rx.tooltip(
                    status_badge(item.verdict, VERDICT_COLORS, class_name="score-verdict"),
                    content=SKIPPED_HINT,
                ),
                rx.hstack(
                    status_badge(item.verdict, VERDICT_COLORS, class_name="score-verdict"),
                    rx.text(item.score, size="2", class_name="score-value"),
                    spacing="2",
                    align="center",
                ),
            )
        ),
        rx.table.cell(rx.code(item.label, class_name="score-label")),
        rx.table.cell(
            rx.vstack(
                rx.text(item.reason, size="2", class_name="score-reason"),
                rx.cond(item.model != "", rx.text("judged by ", item.model, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(item.trigger, size="1", white_space="nowrap", class_name="score-trigger")),
        *(
            [rx.table.cell(rx.link(item.time, href=item.run_href, size="1", white_space="nowrap"))]
            if with_run
            else []
        ),
        class_name="score-row",
        data_verdict=item.verdict,
        data_evaluator=item.evaluator,
    )


def scores_table(items: rx.Var, *, with_run: bool = False, id: str) -> rx.Component:
    """Every verdict; `with_run` adds a column linking each to the run (turn) it scored."""
    titles = ["Evaluator", "Score", "Label", "Reason", "Why scored", *(["Turn (UTC)"] if with_run else [])]
    return rx.cond(
        items.length() > 0,
        data_table(titles, items, lambda item: _score(item, with_run=with_run), body_id=id),
        rx.text(
            "Not scored: online evaluation scores a sample of live turns, a few seconds after each.",
            size="2",
            color_scheme="gray",
            id=f"{id}-none",
        ),
    )
