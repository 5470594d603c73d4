"""The Agent runs table's state: filters and cursor pages over agentRuns."""

from __future__ import annotations

import reflex as rx

from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.views.runs import ANY, RUN_ROW_FIELDS, run_filter, run_row

AGENT_RUNS = f"""
query AgentRuns($first: Int!, $after: String, $filter: AgentRunFilter) {{
  agentRuns(first: $first, after: $after, filter: $filter) {{
    edges {{ cursor node {{ {RUN_ROW_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
FILTERS = ("status", "policy", "page_size")


class RunsState(rx.State):
    rows: list[dict[str, str]] = []
    status: str = ANY
    policy: str = ANY
    prompt_version: str = ""
    min_latency_ms: str = ""
    page_size: str = "25"
    page_number: int = 1
    has_next: bool = False
    error: str = ""
    # The `after` cursor of each page walked so far, so Previous can go back (cursors only go forward).
    _trail: list[str] = []
    _end_cursor: str = ""

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
        """The prompt version and latency fields, applied together with their button."""
        self.prompt_version = form.get("prompt_version", "")
        self.min_latency_ms = form.get("min_latency_ms", "")
        return await self._fetch(trail=[])

    @rx.event
    async def set_text_filter(self, name: str, value: str):
        """A typed filter left with a changed value: apply it, so the field and the rows never disagree."""
        if name in ("prompt_version", "min_latency_ms") and getattr(self, name) != value:
            setattr(self, name, value)
            return await self._fetch(trail=[])
        return None

    @rx.event
    async def next_page(self):
        if self.has_next:
            return await self._fetch(trail=[*self._trail, self._end_cursor])
        return None

    @rx.event
    async def previous_page(self):
        if self._trail:
            return await self._fetch(trail=self._trail[:-1])
        return None

    @rx.event
    async def refresh(self):
        return await self._fetch(trail=self._trail)

    async def _fetch(self, *, trail: list[str]):
        auth = await self.get_state(AuthState)
        if not auth.has_session:
            return None
        try:
            chosen = run_filter(
                status=self.status,
                policy=self.policy,
                prompt_version=self.prompt_version,
                min_latency_ms=self.min_latency_ms,
            )
        except ValueError:
            self.error = "Minimum latency must be a number of milliseconds."
            return None
        variables = {
            "first": int(self.page_size),
            "after": trail[-1] if trail else None,
            "filter": chosen or None,
        }
        data = await call_or_report(self, AGENT_RUNS, variables)
        if isinstance(data, Refused):
            return data.answer
        connection = data["agentRuns"]
        self.error = ""
        self.rows = [run_row(edge["node"], cursor=edge["cursor"]) for edge in connection["edges"]]
        self.has_next = connection["pageInfo"]["hasNextPage"]
        self._end_cursor = connection["pageInfo"]["endCursor"] or ""
        self._trail = trail
        self.page_number = len(trail) + 1
        return None

    @rx.var
    def has_previous(self) -> bool:
        return self.page_number > 1

    @rx.var
    def filtered(self) -> bool:
        return (
            self.status != ANY
            or self.policy != ANY
            or bool(self.prompt_version.strip() or self.min_latency_ms.strip())
        )
