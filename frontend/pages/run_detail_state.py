"""One agent run's state: what it answered, what it decided, the tools it called and its guardrail hits."""

from __future__ import annotations

import reflex as rx

from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.views.formatting import id_from_path
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
        data = await call_or_report(self, AGENT_RUN, {"id": id_from_path(self.router.url.path)})
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.found = data["agentRun"] is not None
        self.run = run_view(data["agentRun"]) if self.found else empty_run()
        return None
