"""One agent run's state: what it answered, what it decided, the tools it called, its guardrail hits and its
evaluator scores (which arrive live, a few seconds after the turn, when online evaluation stores them)."""

from __future__ import annotations

import dataclasses
from typing import Any

import reflex as rx

from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.views.formatting import id_from_path
from frontend.views.quality import score_view
from frontend.views.runs import RUN_FIELDS, RunView, empty_run, run_view

AGENT_RUN = f"""
query AgentRun($id: ID!) {{
  agentRun(id: $id) {{ {RUN_FIELDS} conversation {{ id customer }} }}
}}
"""


class RunDetailState(rx.State):
    found: bool = True
    run: RunView = empty_run()
    error: str = ""

    @rx.event
    async def load(self):
        auth = await self.get_state(AuthState)
        if not auth.has_session:
            return None
        run_id = id_from_path(self.router.url.path)
        # Watch before reading: scores stored between the read and the watch would otherwise never show.
        live_feed.watch(self.router.session.client_token, "scored", page=RunDetailState)
        data = await call_or_report(self, AGENT_RUN, {"id": run_id})
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.found = data["agentRun"] is not None
        self.run = run_view(data["agentRun"]) if self.found else empty_run()
        return None

    def apply_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """From the live feed: this run's scores, as just stored (the payload carries them all)."""
        if kind == "scored" and self.found and payload.get("id") == self.run.id:
            self.run = dataclasses.replace(self.run, scores=[score_view(s) for s in payload["scores"]])
        return False

    async def refresh(self) -> None:
        """Nothing to read again: a scored run's update carries its scores."""
