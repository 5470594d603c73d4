"""Evaluator scores as the pages show them: one verdict per row, a skipped judge call said to be skipped."""

from __future__ import annotations

import dataclasses
from typing import Any

from frontend.views.formatting import clock_time, detail_href

SCORE_FIELDS = "id evaluator version kind score passed label reason model trigger skipped createdAt"
# Why a live turn was scored, in words (ScoreTrigger).
TRIGGER_WORDS = {"SAMPLE": "sampled", "GUARDRAIL": "guardrail hit", "FAILURE": "failed turn"}


@dataclasses.dataclass
class ScoreView:
    evaluator: str
    version: str
    kind: str
    score: str  # "0.00" … "1.00"; "skipped" when the judge call was skipped
    verdict: str  # pass | fail | skipped
    label: str
    reason: str
    model: str
    trigger: str
    time: str
    run_href: str


def score_view(score: dict[str, Any], *, run_id: str = "") -> ScoreView:
    """A score from SCORE_FIELDS; `run_id` links it to the run it scored (on a conversation's page)."""
    skipped = score["skipped"]
    return ScoreView(
        evaluator=score["evaluator"],
        version=score["version"],
        kind=score["kind"],
        score="skipped" if skipped else f"{score['score']:.2f}",
        verdict="skipped" if skipped else "pass" if score["passed"] else "fail",
        label=score["label"],
        reason=score["reason"],
        model=score.get("model") or "",
        trigger=TRIGGER_WORDS.get(score["trigger"], score["trigger"].lower()),
        time=clock_time(score["createdAt"]),
        run_href=detail_href("runs", run_id) if run_id else "",
    )


def low_scores(scores: list[ScoreView]) -> list[ScoreView]:
    """The verdicts that failed (a skipped judge call is no verdict)."""
    return [score for score in scores if score.verdict == "fail"]


def scores_summary(scores: list[dict[str, Any]]) -> str:
    """A run's scores in a table cell: the failed verdicts by label, else how many passed."""
    if not scores:
        return ""
    failed = [f"{s['evaluator']} {s['score']:.2f} {s['label']}" for s in scores if s["passed"] is False]
    if failed:
        return "; ".join(failed)
    passed = sum(1 for s in scores if s["passed"])
    skipped = sum(1 for s in scores if s["skipped"])
    return f"{passed} passed" + (f", {skipped} skipped" if skipped else "")


def evaluator_panels(
    *,
    evaluators: list[dict[str, Any]],
    series: list[dict[str, Any]],
    charts: list[dict[str, Any]],
    slos: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One panel per evaluator that scores live turns or scored some in the window: its mean score per step
    (`quality:<name>`, from `charts`), how many turns it scored and how many judge calls it skipped (summed
    from the API's `series`), and the quality SLOs counting it (`slos`, as the Metrics page shows SLOs)."""
    values = {one["name"]: [point["value"] for point in one["points"]] for one in series}
    chart_of = {chart["name"]: chart for chart in charts}
    panels = []
    for evaluator in evaluators:
        name = evaluator["name"]
        scored = sum(values.get(f"quality_scored:{name}", []))
        skipped = sum(values.get(f"quality_skipped:{name}", []))
        if not evaluator["online"] and not scored and not skipped:
            continue
        means = values.get(f"quality:{name}", [])
        empty_chart = {"name": f"quality:{name}", "title": "mean score", "points": [], "empty": True}
        panels.append(
            {
                "name": name,
                "kind": evaluator["kind"],
                "online": "scores live turns" if evaluator["online"] else "off for live turns",
                "latest": f"{means[-1]:.2f}" if means else "–",
                "scored": f"{scored:,.0f}",
                "skipped": f"{skipped:,.0f}",
                "chart": {**chart_of.get(f"quality:{name}", empty_chart), "title": "mean score"},
                "slos": [slo for slo in slos if slo["evaluator"] == name],
            }
        )
    return panels
