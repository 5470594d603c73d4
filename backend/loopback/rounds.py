"""`rounds:N`, for the model-path bench: N-1 rounds of one check_availability call per turn, then a reply.

The arguments are valid for the tool's schema (the demo business's first service, today), so each round runs
the real tool in the product.
"""

from __future__ import annotations

import json
from typing import Any

from backend.loopback import chat
from backend.loopback.business import clock
from backend.scheduling.seed import BUSINESS


def _first_service() -> str:
    return json.loads(BUSINESS.read_text())["services"][0]["name"]


def rounds_behaviour(rounds: int):
    """The behaviour answering each turn in `rounds` model calls."""
    if rounds < 1:
        raise ValueError("rounds:N needs N >= 1")
    service = _first_service()

    async def answer(body: dict[str, Any]) -> dict[str, Any]:
        thread = chat.conversation(body)
        current = thread.turns[-1]
        if current.tool_rounds < rounds - 1 and chat.offers_tools(body):
            today = clock(thread.system).date().isoformat()
            return chat.tool_call(
                call=chat.call_id(turn=len(thread.turns), position=current.tool_rounds + 1),
                name="check_availability",
                arguments={"service": service, "date_from": today},
            )
        found = sum(len(result.get("slots") or []) for result in current.results)
        return chat.say(
            f"I checked {current.tool_rounds} time(s) and found {found} open {service} slot(s). "
            "Which day and time would suit you?"
        )

    return answer
