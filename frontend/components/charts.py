"""Time-series charts (Reflex's recharts) shared by the Metrics and Incident pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

RATE_SUFFIX = "_rate"


def chart_series(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API MetricSeries as charts take them: a title and points with a short time label."""
    long_span = len(series) > 0 and _spans_days(series[0]["points"])
    charted = []
    for one in series:
        rate = one["name"].endswith(RATE_SUFFIX) or RATE_SUFFIX + ":" in one["name"]
        points = [
            {"at": _label(point["at"], long_span), "value": round(point["value"] * (100 if rate else 1), 2)}
            for point in one["points"]
        ]
        title = one["name"].replace("_", " ") + (" (%)" if rate else "")
        charted.append({"name": one["name"], "title": title, "points": points, "empty": not points})
    return charted


def _spans_days(points: list[dict[str, Any]]) -> bool:
    return bool(points) and points[0]["at"][:10] != points[-1]["at"][:10]


def _label(at: str, long_span: bool) -> str:
    return at[5:16].replace("T", " ") if long_span else at[11:16]


def series_chart(series: rx.Var, *, height: int = 160) -> rx.Component:
    """One metric's line over time, titled."""
    return rx.card(
        rx.text(series["title"], size="2", weight="medium"),
        rx.cond(
            series["empty"],
            rx.center(rx.text("no data in this window", size="1", color_scheme="gray"), height=f"{height}px"),
            rx.recharts.line_chart(
                rx.recharts.line(
                    data_key="value",
                    stroke="var(--accent-9)",
                    dot=False,
                    is_animation_active=False,
                    stroke_width=2,
                ),
                rx.recharts.x_axis(data_key="at", min_tick_gap=40, font_size=11),
                rx.recharts.y_axis(width=48, font_size=11),
                rx.recharts.cartesian_grid(stroke_dasharray="3 3", opacity=0.4),
                rx.recharts.graphing_tooltip(),
                data=series["points"].to(list[dict[str, Any]]),
                width="100%",
                height=height,
            ),
        ),
        class_name="metric-chart",
        data_metric=series["name"],
        width="100%",
    )
