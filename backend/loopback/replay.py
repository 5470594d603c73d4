"""`rules`: a competent stand-in for a real model, deciding as the offline RulesPolicy does by replaying it.

A chat request carries no state, only the thread. So the policy's state is rebuilt by replaying every earlier
turn, each tool call answered with the result recorded in the thread; then the current turn runs the same way,
and the first call it makes beyond the results already in the request is this answer's tool call. When the
policy finishes instead, its reply is the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from backend.agent.policies.base import TurnInput
from backend.agent.policies.rules import RulesPolicy
from backend.core.enums import Channel
from backend.loopback import chat
from backend.loopback.business import clock, demo_business, prompt_of

log = structlog.get_logger(__name__)
# A thread without its tool results (an older product sent text only): the policy hears the call failed.
NOT_RECORDED = {"error": "not available"}
# The caller's last round allows no tool call, but the policy needs one more: answer without claiming
# anything.
NO_MORE_ROUNDS = "Sorry, I couldn't finish checking that just now. Could you ask me again?"


class _ModelCall(Exception):
    """Stops the policy at the first tool call the request holds no result for: that call is the answer."""

    def __init__(self, name: str, arguments: dict[str, Any]) -> None:
        super().__init__(name)
        self.name, self.arguments = name, arguments


@dataclass
class RecordedTools:
    """Answers the policy's tool calls with a turn's recorded results, in order."""

    results: list[dict[str, Any]]
    stop_at_new_call: (
        bool  # the current turn: a call past the results is the model's; an earlier turn's is lost
    )
    used: int = 0

    async def call(self, name: str, arguments: dict[str, Any], **_: Any) -> dict[str, Any]:
        if self.used < len(self.results):
            self.used += 1
            return dict(self.results[self.used - 1])
        if self.stop_at_new_call:
            raise _ModelCall(name, arguments)
        return dict(NOT_RECORDED)


async def rules_answer(body: dict[str, Any]) -> dict[str, Any]:
    """The assistant message RulesPolicy's replay gives for this request."""
    thread = chat.conversation(body)
    business, now, prompt = demo_business(), clock(thread.system), prompt_of(thread.system)
    policy = RulesPolicy()
    state: dict[str, Any] = {}
    history: list[tuple[str, str]] = []

    def turn_input(text: str) -> TurnInput:
        # The customer's number is not in the thread; book_appointment falls back to the conversation's own.
        return TurnInput(
            text=text,
            channel=Channel.CHAT,
            customer="",
            history=list(history),
            state=state,
            now=now,
            services=business.services,
            hours=business.hours,
            prompt=prompt,
        )

    for number, turn in enumerate(thread.turns[:-1], start=1):
        recorded = RecordedTools(results=turn.results, stop_at_new_call=False)
        try:
            state = (await policy.respond(turn_input(turn.text), recorded)).state
        except Exception:  # noqa: BLE001 - a thread the policy cannot replay: keep the state it had before
            log.warning("loopback.replay_skipped", turn=number, exc_info=True)
        history += [("CUSTOMER", turn.text), *(("AGENT", reply) for reply in turn.replies)]

    current = thread.turns[-1]
    tools = RecordedTools(results=current.results, stop_at_new_call=True)
    try:
        decision = await policy.respond(turn_input(current.text), tools)
    except _ModelCall as wanted:
        if not chat.offers_tools(body):
            return chat.say(NO_MORE_ROUNDS)
        return chat.tool_call(
            call=chat.call_id(turn=len(thread.turns), position=tools.used + 1),
            name=wanted.name,
            arguments=wanted.arguments,
        )
    return chat.say(decision.reply)
