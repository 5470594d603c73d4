"""Evals' state: suites and runs, Run evals with progress pushed by the live feed, and run comparisons."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.ids import node_id
from frontend.live.documents import eval_progress_kind
from frontend.live.registry import live_feed
from frontend.state.calls import Refused, call_or_report, session_token

RUN_FIELDS = "id suiteName suiteVersion policy promptVersion status total passed failed passRate createdAt"
EVALS = f"""
query Evals {{
  evalSuites(first: 50) {{ edges {{ node {{ name version caseCount createdAt }} }} }}
  evalRuns(first: 30) {{ edges {{ node {{ {RUN_FIELDS} }} }} }}
}}
"""
START_EVAL_RUN = f"""
mutation Start($input: StartEvalRunInput!) {{
  startEvalRun(input: $input) {{
    __typename
    ... on StartEvalRunPayload {{ evalRun {{ {RUN_FIELDS} }} }}
    ... on ValidationError {{ message }}
    ... on NotFoundError {{ message }}
  }}
}}
"""
COMPARE = """
query Compare($base: ID!, $head: ID!) {
  compareEvalRuns(base: $base, head: $head) {
    regressions fixes unchangedPassing unchangedFailing basePassRate headPassRate passRateDelta pValue
        significantDrop
  }
}
"""
UNFINISHED = ("QUEUED", "RUNNING")


def _percent(rate: float | None) -> str:
    return f"{100 * rate:.1f}%" if rate is not None else "–"


def run_row(run: dict[str, Any]) -> dict[str, Any]:
    """A run as the table shows it."""
    done = run["passed"] + run["failed"]
    return {
        "id": run["id"],
        "plain_id": node_id(run["id"]),
        "suite": run["suiteName"],
        "version": run["suiteVersion"][:8],
        "policy": run["policy"],
        "prompt": run["promptVersion"],
        "status": run["status"],
        "done": done,
        "total": run["total"],
        "passed": run["passed"],
        "pass_rate": _percent(run["passRate"]),
        "created": run["createdAt"][:16].replace("T", " "),
        "progress": int(100 * done / run["total"]) if run["total"] else 0,
        "label": f"{run['suiteName']} · {run['promptVersion']} · {run['createdAt'][5:16].replace('T', ' ')}",
    }


class EvalsState(rx.State):
    suites: list[dict[str, Any]] = []
    runs: list[dict[str, Any]] = []
    suite_to_run: str = ""
    starting: bool = False
    message: str = ""
    error: str = ""
    base_run: str = ""
    head_run: str = ""
    comparison: dict[str, Any] = {}

    @rx.event
    async def load(self):
        """Read suites and runs; follow any run still going."""
        data = await call_or_report(self, EVALS)
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.suites = [edge["node"] for edge in data["evalSuites"]["edges"]]
        self.runs = [run_row(edge["node"]) for edge in data["evalRuns"]["edges"]]
        if not self.suite_to_run and self.suites:
            self.suite_to_run = self.suite_names[0]
        for run in self.runs:
            if run["status"] in UNFINISHED:
                live_feed.watch(session_token(self), eval_progress_kind(run["id"]))
        return None

    @rx.var
    def suite_names(self) -> list[str]:
        return sorted({suite["name"] for suite in self.suites})

    @rx.var
    def latest_suites(self) -> list[dict[str, Any]]:
        """The newest version of each suite, with how many versions it has."""
        newest: dict[str, dict[str, Any]] = {}
        for suite in self.suites:  # newest first
            entry = newest.setdefault(
                suite["name"], {**suite, "version": suite["version"][:8], "versions": 0}
            )
            entry["versions"] += 1
        return list(newest.values())

    @rx.var
    def run_choices(self) -> list[list[str]]:
        """[id, label] of every finished run, for the comparison's selectors."""
        return [[run["id"], run["label"]] for run in self.runs if run["status"] == "COMPLETED"]

    @rx.event
    def choose_suite(self, name: str):
        self.suite_to_run = name

    @rx.event
    async def run_evals(self):
        """Operators: queue a run of the chosen suite; its progress arrives through the live feed."""
        self.starting, self.message = True, ""
        yield
        data = await call_or_report(
            self, START_EVAL_RUN, {"input": {"suite": self.suite_to_run}}, report="message"
        )
        if isinstance(data, Refused):
            self.starting = False
            if data.answer is not None:
                yield data.answer
            return
        self.starting = False
        result = data["startEvalRun"]
        if result["__typename"] != "StartEvalRunPayload":
            self.message = result["message"]
            return
        run = run_row(result["evalRun"])
        self.runs = [run, *[other for other in self.runs if other["id"] != run["id"]]]
        self.message = f"Running {run['suite']}: {run['total']} case(s)."
        live_feed.watch(session_token(self), eval_progress_kind(run["id"]))

    def apply_update(self, kind: str, progress: dict[str, Any]) -> None:
        """One run's progress, from the live feed."""
        updated = []
        for run in self.runs:
            if run["id"] == progress["evalRunId"]:
                done, total, passed = progress["done"], progress["total"], progress["passed"]
                finished = progress["status"] not in UNFINISHED
                run = {
                    **run,
                    "status": progress["status"],
                    "done": done,
                    "total": total,
                    "passed": passed,
                    "progress": int(100 * done / total) if total else 0,
                    "pass_rate": _percent(passed / done if done else None) if finished else run["pass_rate"],
                }
            updated.append(run)
        self.runs = updated

    @rx.event
    async def choose_base(self, run_id: str):
        self.base_run = run_id
        return await self._compare()

    @rx.event
    async def choose_head(self, run_id: str):
        self.head_run = run_id
        return await self._compare()

    async def _compare(self):
        if not (self.base_run and self.head_run):
            return None
        data = await call_or_report(self, COMPARE, {"base": self.base_run, "head": self.head_run})
        if isinstance(data, Refused):
            return data.answer
        found = data["compareEvalRuns"]
        self.comparison = {
            **found,
            "base_rate": _percent(found["basePassRate"]),
            "head_rate": _percent(found["headPassRate"]),
            "delta": f"{100 * found['passRateDelta']:+.1f} pts",
            "p_value": f"{found['pValue']:.3f}",
        }
        return None
