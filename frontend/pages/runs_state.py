"""The Agent runs table's state: filters (how online evaluation scored the runs among them) and cursor pages
over agentRuns."""

from __future__ import annotations

import reflex as rx

from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.state.paging import CursorPages
from frontend.views.runs import ANY, RUN_ROW_FIELDS, run_filter, run_row

AGENT_RUNS = f"""
query AgentRuns($first: Int!, $after: String, $filter: AgentRunFilter) {{
  agentRuns(first: $first, after: $after, filter: $filter) {{
    edges {{ cursor node {{ {RUN_ROW_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  evaluators {{ name }}
}}
"""
FILTERS = ("status", "policy", "evaluator", "verdict")
TEXT_FILTERS = ("prompt_version", "min_latency_ms", "max_score")


class RunsState(CursorPages, rx.State):
    status: str = ANY
    policy: str = ANY
    prompt_version: str = ""
    min_latency_ms: str = ""
    evaluator: str = ANY
    verdict: str = ANY
    max_score: str = ""
    evaluators: list[str] = []  # the evaluators on disk, to choose from

    @rx.event
    async def load(self):
        return await self._fetch(trail=[])

    @rx.event
    async def set_filter(self, name: str, value: str):
        if name in FILTERS:
            setattr(self, name, value)
        return await self._fetch(trail=[])

    @rx.event
    async def apply_text_filters(self, form: dict[str, str]):
        """The typed fields (prompt version, latency, score), applied together with their button."""
        for name in TEXT_FILTERS:
            setattr(self, name, form.get(name, ""))
        return await self._fetch(trail=[])

    @rx.event
    async def set_text_filter(self, name: str, value: str):
        """A typed filter left with a changed value: apply it, so the field and the rows never disagree."""
        if name in TEXT_FILTERS and getattr(self, name) != value:
            setattr(self, name, value)
            return await self._fetch(trail=[])
        return None

    async def _fetch(self, *, trail: list[str]):
        auth = await self.get_state(AuthState)
        if not auth.has_session:
            return None
        if not _a_share(self.max_score):
            self.error = "Score at most must be a number from 0 to 1."
            return None
        try:
            chosen = run_filter(
                status=self.status,
                policy=self.policy,
                prompt_version=self.prompt_version,
                min_latency_ms=self.min_latency_ms,
                evaluator=self.evaluator,
                verdict=self.verdict,
                max_score=self.max_score,
            )
        except ValueError:
            self.error = "Minimum latency must be a number of milliseconds."
            return None
        data = await call_or_report(self, AGENT_RUNS, self._page_variables(trail=trail, chosen=chosen))
        if isinstance(data, Refused):
            return data.answer
        self.evaluators = [evaluator["name"] for evaluator in data["evaluators"]]
        self._show_page(data["agentRuns"], trail=trail, row=run_row)
        return None

    @rx.var
    def filtered(self) -> bool:
        return (
            self.status != ANY
            or self.policy != ANY
            or self.evaluator != ANY
            or self.verdict != ANY
            or bool(self.prompt_version.strip() or self.min_latency_ms.strip() or self.max_score.strip())
        )

    @rx.var
    def evaluator_choices(self) -> list[dict[str, str]]:
        return [{"value": ANY, "label": "Any evaluator"}] + [
            {"value": name, "label": name} for name in self.evaluators
        ]


def _a_share(text: str) -> bool:
    """Empty, or a number from 0 to 1."""
    if not text.strip():
        return True
    try:
        return 0 <= float(text) <= 1
    except ValueError:
        return False
