"""The Metrics page's quality panel: per evaluator, its mean score over the window, how many turns it scored
and how many judge calls it skipped, and the state of the quality SLOs that count it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from frontend.components.charts import series_chart

QUALITY_NOTE = (
    "Scores of live turns only, from online evaluation: the demo's synthetic history has none. "
    "A pass-or-fail rule's mean is its pass rate; a skipped judge call counts as skipped, never as a score."
)


def _count(label: str, value: rx.Var, class_name: str) -> rx.Component:
    return rx.text(label, " ", rx.text.strong(value, class_name=class_name), size="2")


def _panel(panel: rx.Var, slo_card: Callable[[rx.Var], rx.Component]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code(panel["name"]),
                rx.badge(panel["kind"], variant="outline"),
                rx.text(panel["online"], size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.hstack(
                _count("Latest mean", panel["latest"], "quality-latest"),
                _count("Scored", panel["scored"], "quality-scored"),
                _count("Skipped", panel["skipped"], "quality-skipped"),
                spacing="4",
                wrap="wrap",
            ),
            series_chart(panel["chart"].to(dict[str, Any]), height=120),
            rx.foreach(panel["slos"].to(list[dict[str, Any]]), slo_card),
            spacing="2",
            width="100%",
        ),
        class_name="quality-panel",
        data_evaluator=panel["name"],
    )


def quality_panels(panels: rx.Var, *, slo_card: Callable[[rx.Var], rx.Component]) -> rx.Component:
    """Every evaluator's panel (`panels`: views.quality.evaluator_panels), its SLOs drawn by `slo_card`."""
    return rx.vstack(
        rx.heading("Quality", size="4"),
        rx.text(QUALITY_NOTE, size="1", color_scheme="gray"),
        rx.grid(
            rx.foreach(panels, lambda panel: _panel(panel, slo_card)),
            columns="3",
            spacing="3",
            width="100%",
        ),
        rx.cond(
            panels.length() == 0,
            rx.text("No evaluator scores live turns here.", size="2", color_scheme="gray"),
        ),
        width="100%",
        id="quality-panel",
    )
