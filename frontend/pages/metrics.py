"""Metrics: a chart per metric over a chosen window and channel, each SLO's budget and burn rates, and a
quality panel per evaluator (mean score per minute, turns scored, judge calls skipped, its quality SLOs).

The page follows the live feed: the live values show as they are pushed, the series and SLOs are read again
once the rollup has written the next minute's points, and at once when an incident opens or changes (an SLO
began or stopped firing).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import reflex as rx

from frontend.components.badges import SYNTHETIC_HINT
from frontend.components.charts import chart_series, series_chart
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.quality_panel import quality_panels
from frontend.live.registry import live_feed
from frontend.state.calls import Refused, call_or_report
from frontend.views.quality import evaluator_panels

METRIC_NAMES = [
    "turns",
    "latency_p95_ms",
    "failure_rate",
    "handoff_rate",
    "violation_rate",
    "tool_error_rate",
    "queue_depth",
    "dead_letters",
]
# window -> (span, seconds per point): about a hundred points whatever the window.
WINDOWS = {
    "1 hour": (timedelta(hours=1), 60),
    "6 hours": (timedelta(hours=6), 300),
    "24 hours": (timedelta(days=1), 900),
    "7 days": (timedelta(days=7), 3600),
}
CHANNELS = ["ALL", "SMS", "CHAT", "VOICE"]
LIVE_UPDATES = ("metrics", "incident")
# The rollup writes a minute's points a few seconds after it closes (worker cron at second 5).
ROLLUP_GRACE = timedelta(seconds=10)
METRICS = """
query Metrics($names: [String!]!, $from: DateTime!, $to: DateTime!, $step: Int!, $channel: String!) {
  metrics(names: $names, from: $from, to: $to, step: $step, channel: $channel) {
    name channel stepSeconds points { at value }
  }
  syntheticHistory: conversations(first: 1, filter: {synthetic: true}) { edges { node { lastMessageAt } } }
  slos {
    name description objective budgetRemaining evaluator
    burnRates { window rate }
    firing { severity longWindow shortWindow threshold }
  }
}
"""
# Read once per page load: the evaluators name the quality series (quality:<name> …) the page asks for.
EVALUATORS = "{ evaluators { name kind online } }"
QUALITY_PREFIXES = ("quality:", "quality_scored:", "quality_skipped:")


def _slo_view(slo: dict[str, Any]) -> dict[str, Any]:
    remaining = slo["budgetRemaining"]
    return {
        "name": slo["name"],
        "evaluator": slo["evaluator"] or "",
        "description": slo["description"],
        "objective": f"{100 * slo['objective']:g}%",
        "budget": f"{100 * remaining:.1f}%",
        "budget_bar": max(0, min(100, round(100 * remaining))),
        "budget_color": "green" if remaining > 0.5 else "amber" if remaining > 0 else "red",
        "burn_rates": [
            {"window": rate["window"], "rate": f"{rate['rate']:.2f}×", "hot": rate["rate"] >= 1}
            for rate in slo["burnRates"]
        ],
        "firing": [
            f"{alert['severity']}: {alert['longWindow']}+{alert['shortWindow']} over {alert['threshold']:g}×"
            for alert in slo["firing"]
        ],
    }


def _live_view(values: dict[str, Any]) -> dict[str, str]:
    p95 = values["latencyP95Ms"]
    return {
        "window": f"last {values['windowSeconds'] // 60} min",
        "at": values["at"][11:19],
        "turns_per_minute": f"{values['turnsPerMinute']:.1f}",
        "latency_p95": f"{p95:.0f} ms" if p95 is not None else "–",
        "failure_rate": f"{100 * values['failureRate']:.1f}%",
        "handoff_rate": f"{100 * values['handoffRate']:.1f}%",
        "queue_depth": str(values["queueDepth"]),
        "dead_letters": str(values["deadLetters"]),
    }


class MetricsState(rx.State):
    window: str = "24 hours"
    channel: str = "ALL"
    charts: list[dict[str, Any]] = []
    slos: list[dict[str, Any]] = []
    quality: list[dict[str, Any]] = []  # one panel per evaluator (views.quality.evaluator_panels)
    # When the demo's synthetic history ends, if the window reaches back into it ("" otherwise).
    synthetic_until: str = ""
    # The live values, as the live feed last pushed them.
    live: dict[str, str] = {}
    loading: bool = False
    error: str = ""
    # The minute the series were last read up to (ISO): the next one is read once the rollup has written it.
    _read_up_to: str = ""
    _evaluators: list[dict[str, Any]] = []

    @rx.event
    async def load(self):
        """Read the chosen window's series and the SLOs as they stand now, then follow them live."""
        self.loading = True
        yield
        refused = await self._read()
        self.loading = False
        if refused is not None:
            if refused.answer is not None:
                yield refused.answer
            return
        live_feed.watch(self.router.session.client_token, *LIVE_UPDATES, page=MetricsState)

    def apply_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """From the live feed: new live values, or an incident. True: read the series and SLOs again
        (`refresh`), the next minute having been rolled up or an SLO having begun or stopped firing."""
        if kind == "incident":
            return (
                payload["status"] != "ACKNOWLEDGED"
            )  # opened or resolved; an acknowledgement changes no SLO
        self.live = _live_view(payload)
        rolled_up = datetime.fromisoformat(payload["at"]) - ROLLUP_GRACE
        return bool(self._read_up_to) and rolled_up >= datetime.fromisoformat(self._read_up_to) + timedelta(
            minutes=1
        )

    async def refresh(self) -> None:
        await self._read()

    async def _read(self) -> Refused | None:
        if not self._evaluators:
            found = await call_or_report(self, EVALUATORS)
            if isinstance(found, Refused):
                return found
            self._evaluators = found["evaluators"]
        quality_names = [prefix + e["name"] for e in self._evaluators for prefix in QUALITY_PREFIXES]
        span, step = WINDOWS[self.window]
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        variables = {
            "names": METRIC_NAMES + quality_names,
            "from": (now - span).isoformat(),
            "to": now.isoformat(),
            "step": step,
            "channel": self.channel,
        }
        data = await call_or_report(self, METRICS, variables)
        if isinstance(data, Refused):
            return data
        self.error, self._read_up_to = "", variables["to"]
        order = {name: index for index, name in enumerate(METRIC_NAMES)}
        reliability = [series for series in data["metrics"] if series["name"] in order]
        self.charts = chart_series(sorted(reliability, key=lambda series: order[series["name"]]))
        self.slos = [_slo_view(slo) for slo in data["slos"]]
        means = [series for series in data["metrics"] if series["name"].startswith("quality:")]
        self.quality = evaluator_panels(
            evaluators=self._evaluators, series=data["metrics"], charts=chart_series(means), slos=self.slos
        )
        history = data["syntheticHistory"]["edges"]
        until = history[0]["node"]["lastMessageAt"] if history else ""
        self.synthetic_until = until[:16].replace("T", " ") if until and until > variables["from"] else ""
        return None

    @rx.event
    def choose_window(self, window: str):
        self.window = window
        return MetricsState.load

    @rx.event
    def choose_channel(self, channel: str):
        self.channel = channel
        return MetricsState.load


def _slo_card(slo: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.code(slo["name"]),
                rx.spacer(),
                rx.text("objective ", slo["objective"], size="1"),
                width="100%",
            ),
            rx.text(slo["description"], size="1", color_scheme="gray"),
            rx.text("Error budget left ", rx.text.strong(slo["budget"]), size="2"),
            rx.progress(value=slo["budget_bar"].to(int), color_scheme=slo["budget_color"].to(str)),
            rx.hstack(
                rx.foreach(
                    slo["burn_rates"].to(list[dict[str, Any]]),
                    lambda rate: rx.badge(
                        rate["window"],
                        " ",
                        rate["rate"],
                        variant="soft",
                        color_scheme=rx.cond(rate["hot"], "red", "gray"),
                    ),
                ),
                wrap="wrap",
                spacing="1",
            ),
            rx.foreach(slo["firing"].to(list[str]), lambda alert: rx.badge(alert, color_scheme="red")),
            spacing="2",
            width="100%",
        ),
        class_name="slo-card",
    )


def _live_values() -> rx.Component:
    live = MetricsState.live
    value = lambda label, key: rx.text(label, " ", rx.text.strong(live[key]), size="2")  # noqa: E731
    return rx.cond(
        live,
        rx.hstack(
            rx.badge("live", color_scheme="green", variant="soft"),
            rx.text(live["window"], size="1", color_scheme="gray"),
            value("Turns/min", "turns_per_minute"),
            value("p95", "latency_p95"),
            value("Failures", "failure_rate"),
            value("Handoffs", "handoff_rate"),
            value("Queue", "queue_depth"),
            value("Dead letters", "dead_letters"),
            rx.text("at ", live["at"], " UTC", size="1", color_scheme="gray"),
            spacing="4",
            align="center",
            wrap="wrap",
            id="metrics-live",
        ),
    )


def metrics_page() -> rx.Component:
    return page_frame(
        "Metrics",
        rx.hstack(
            rx.text("Window", size="2"),
            rx.select(
                list(WINDOWS),
                value=MetricsState.window,
                on_change=MetricsState.choose_window,
                id="metrics-window",
            ),
            rx.text("Channel", size="2"),
            rx.select(
                CHANNELS,
                value=MetricsState.channel,
                on_change=MetricsState.choose_channel,
                id="metrics-channel",
            ),
            rx.cond(MetricsState.loading, rx.spinner()),
            align="center",
        ),
        error_callout(MetricsState.error),
        _live_values(),
        rx.cond(
            MetricsState.synthetic_until != "",
            rx.callout(
                rx.hstack(
                    rx.badge(
                        "synthetic", color_scheme="purple", variant="surface", class_name="synthetic-badge"
                    ),
                    rx.text(
                        "Points up to ",
                        MetricsState.synthetic_until,
                        " UTC are rolled up from the demo's synthetic history. ",
                        SYNTHETIC_HINT,
                        size="2",
                    ),
                    align="center",
                ),
                color_scheme="purple",
                id="metrics-synthetic-note",
            ),
        ),
        rx.heading("Service level objectives", size="4"),
        rx.grid(rx.foreach(MetricsState.slos, _slo_card), columns="3", spacing="3", width="100%", id="slos"),
        quality_panels(MetricsState.quality, slo_card=_slo_card),
        rx.heading("Series", size="4"),
        rx.grid(
            rx.foreach(MetricsState.charts, series_chart),
            columns="2",
            spacing="3",
            width="100%",
            id="metric-charts",
        ),
    )
