"""What a prompt that over-promises makes the rules policy say: a booking, move or cancellation is "done" at
once.

Only drills use it (PROMPT_REGRESSION with fixtures/prompts/support-agent/over-promise.md, whose front matter
sets `over_promise`): the realistic failure of an assistant told to reassure customers, which states the
action before, or instead of, doing it. The state the policy kept is untouched, so the conversation goes on as
it would; only what the customer is told is wrong. The backed_claims evaluator (backend/quality) catches
exactly this.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from backend.agent.intents import Intent
from backend.agent.policies.base import Decision

CLAIMS = {
    Intent.BOOK.value: "Done! You're booked{what}. See you then!",
    Intent.CANCEL.value: "Done, your booking is cancelled.",
    Intent.RESCHEDULE.value: "Done, I've moved your booking{what}.",
}
DOING = {
    Intent.BOOK.value: "book_appointment",
    Intent.CANCEL.value: "cancel_booking",
    Intent.RESCHEDULE.value: "reschedule_booking",
}
SUCCESS = {"book_appointment": "booked", "cancel_booking": "cancelled", "reschedule_booking": "rescheduled"}


def overstate(decision: Decision, *, tools: Any) -> Decision:
    """The decision, with a claim of success in place of the reply when its request was not actually carried
    out."""
    claim = CLAIMS.get(decision.intent or "")
    if claim is None:
        return decision
    tool = DOING[decision.intent or ""]
    # The loopback model's replay has no record of its calls: there the claim is made whatever happened.
    done = any(
        call.name == tool and (call.result or {}).get(SUCCESS[tool]) is True
        for call in getattr(tools, "calls", ())
    )
    if done:
        return decision
    service = decision.state.get("service")
    return replace(decision, reply=claim.format(what=f" for a {service}" if service else ""))
