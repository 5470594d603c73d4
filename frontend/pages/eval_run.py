"""One eval run: every case's result, failures first, each miss as expected against actual.

A run still going follows the live feed: each progress update (a case done, the run finished) reads the run
again, so its cases appear as the workers record them.
"""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from frontend import api
from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.ids import global_id
from frontend.live.documents import eval_progress_kind
from frontend.live.registry import live_feed
from frontend.pages.evals_state import RUN_FIELDS, UNFINISHED, run_row
from frontend.state.calls import call_api, end_session
from frontend.views.formatting import id_from_path

EVAL_RUN = f"""
query EvalRun($id: ID!) {{
  evalRun(id: $id) {{
    {RUN_FIELDS} error
    results {{ caseName passed failures transcript toolCalls latencyMs }}
  }}
}}
"""


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _case(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": result["caseName"],
        "passed": result["passed"],
        "latency": f"{result['latencyMs']:.0f} ms",
        "misses": [
            {
                "turn": str(miss.get("turn", "final")),
                "expectation": miss.get("expectation", ""),
                "expected": _shown(miss.get("expected")),
                "actual": _shown(miss.get("actual")),
            }
            for miss in result["failures"]
        ],
        "turns": [
            {
                "turn": str(turn["turn"]),
                "customer": turn["customer"],
                "reply": turn.get("reply") or "(silent)",
            }
            for turn in result["transcript"]
        ],
        "tools": ", ".join(call["name"] for call in result["toolCalls"]) or "no tools",
    }


class EvalRunState(rx.State):
    run: dict[str, Any] = {}
    cases: list[dict[str, Any]] = []
    error: str = ""

    @rx.event
    async def load(self):
        """Read the run named in the address, with every case's result; follow it while it runs."""
        # The address holds the plain id (a global id may hold '/').
        answer = await self._read(global_id("EvalRun", id_from_path(self.router.url.path)))
        if self.run.get("status") in UNFINISHED:
            live_feed.watch(
                self.router.session.client_token, eval_progress_kind(self.run["id"]), page=EvalRunState
            )
        return answer

    def apply_update(self, kind: str, progress: dict[str, Any]) -> bool:
        """A run's progress from the live feed: read this run again (`refresh`) when it moved on."""
        if progress["evalRunId"] != self.run.get("id"):
            return False  # another run's (the Evals page follows every run still going)
        return (progress["done"], progress["status"]) != (self.run["done"], self.run["status"])

    async def refresh(self) -> None:
        await self._read(self.run["id"])

    async def _read(self, run_id: str):
        try:
            data = await call_api(self, EVAL_RUN, {"id": run_id})
        except api.SessionEnded:
            return await end_session(self)
        except api.ApiError as error:
            self.run, self.cases, self.error = {}, [], error.message
            return None
        found = data["evalRun"]
        if found is None:
            self.run, self.cases, self.error = {}, [], "No eval run with this id."
            return None
        self.error = ""
        self.run = {**run_row(found), "error": found["error"] or ""}
        self.cases = [_case(result) for result in found["results"]]
        return None


def _miss(miss: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(miss["turn"]),
        rx.table.cell(rx.code(miss["expectation"])),
        rx.table.cell(rx.text(miss["expected"], size="1"), background="var(--green-3)"),
        rx.table.cell(rx.text(miss["actual"], size="1"), background="var(--red-3)"),
    )


def _case_card(case: rx.Var) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.cond(
                case["passed"], rx.badge("pass", color_scheme="green"), rx.badge("fail", color_scheme="red")
            ),
            rx.text(case["name"], weight="medium"),
            rx.spacer(),
            rx.text(case["tools"], size="1", color_scheme="gray"),
            rx.text(case["latency"], size="1", color_scheme="gray"),
            width="100%",
        ),
        rx.cond(
            case["misses"].to(list).length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(title)
                            for title in ("Turn", "Expectation", "Expected", "Actual")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(case["misses"].to(list[dict[str, str]]), _miss)),
                size="1",
                width="100%",
                class_name="case-diff",
            ),
        ),
        rx.accordion.root(
            rx.accordion.item(
                header="Transcript",
                content=rx.foreach(
                    case["turns"].to(list[dict[str, str]]),
                    lambda turn: rx.vstack(
                        rx.text(rx.text.strong("Customer: "), turn["customer"], size="1"),
                        rx.text(rx.text.strong("Agent: "), turn["reply"], size="1"),
                        spacing="0",
                        margin_bottom="0.4rem",
                    ),
                ),
            ),
            collapsible=True,
            type="single",
            variant="ghost",
        ),
        class_name="eval-case",
        width="100%",
    )


def eval_run_page() -> rx.Component:
    run = EvalRunState.run
    return page_frame(
        "Eval run",
        rx.link("← All runs", href="/evals", size="2"),
        error_callout(EvalRunState.error),
        rx.cond(
            EvalRunState.run,
            rx.hstack(
                rx.heading(run["suite"], size="5"),
                rx.code(run["version"]),
                rx.badge(run["status"], id="run-status"),
                rx.text(run["policy"], " · prompt ", run["prompt"], size="2"),
                rx.text(
                    "Pass rate ",
                    rx.text.strong(run["pass_rate"]),
                    " (",
                    run["passed"],
                    "/",
                    run["total"],
                    ")",
                    id="run-pass-rate",
                ),
                align="center",
                spacing="3",
            ),
        ),
        rx.vstack(rx.foreach(EvalRunState.cases, _case_card), width="100%", id="eval-cases"),
    )
