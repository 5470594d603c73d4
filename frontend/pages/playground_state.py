"""The playground's state: customer messages sent through agentRespond as a dry run, and what came back."""

from __future__ import annotations

import reflex as rx

from frontend.state.calls import Refused, call_or_report
from frontend.views.runs import PlaygroundTurnView, playground_turn

DEFAULT_POLICY = "DEPLOYMENT"
MAX_MESSAGES = 10  # the API's limit per request

AGENT_RESPOND = """
mutation Respond($input: AgentRespondInput!) {
  agentRespond(input: $input) {
    __typename
    ... on AgentRespondPayload {
      dryRun policy promptName promptVersion
      turns { customerText reply status latencyMs toolCalls { name arguments result error latencyMs } }
    }
    ... on ValidationError { field message }
    ... on NotFoundError { message }
  }
}
"""


class PlaygroundState(rx.State):
    policy: str = DEFAULT_POLICY
    turns: list[PlaygroundTurnView] = []
    used: str = ""
    error: str = ""
    busy: bool = False

    @rx.event
    def set_policy(self, value: str):
        self.policy = value

    @rx.event
    async def respond(self, form: dict[str, str]):
        """Each non-empty line is one customer message; the agent answers them in turn and nothing is kept."""
        messages = [line.strip() for line in form.get("messages", "").splitlines() if line.strip()]
        if not messages:
            self.error = "Write at least one customer message."
            return
        if len(messages) > MAX_MESSAGES:
            self.error = f"At most {MAX_MESSAGES} messages (one per line) at a time."
            return
        chosen = {"messages": messages, "dryRun": True}
        if self.policy != DEFAULT_POLICY:
            chosen["policy"] = self.policy
        if version := form.get("prompt_version", "").strip():
            chosen["promptVersion"] = version
        self.busy, self.error = True, ""
        yield
        data = await call_or_report(self, AGENT_RESPOND, {"input": chosen})
        if isinstance(data, Refused):
            self.busy = False
            if data.answer is not None:
                yield data.answer
            return
        result = data["agentRespond"]
        self.busy = False
        if result["__typename"] != "AgentRespondPayload":
            field = result.get("field")
            self.error = f"{field}: {result['message']}" if field else result["message"]
            return
        self.turns = [playground_turn(turn) for turn in result["turns"]]
        self.used = f"{result['policy']} · {result['promptName']} {result['promptVersion']} · dry run"
