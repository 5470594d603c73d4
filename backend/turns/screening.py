"""The guardrails around a turn: screen what the customer wrote and what the agent is about to say.

A blocked input is answered with a safe reply (the policy never sees it); a blocked reply is replaced by one.
Screening is pure: the hits are written with the run when the turn commits, and personal data a REDACT rule
finds is replaced in the stored message (and its event) in that same transaction, so it is not kept.
"""

from __future__ import annotations

from backend.guardrails.config import GuardrailConfig
from backend.guardrails.engine import CheckResult, check_input, check_output

SAFE_INPUT_REPLY = (
    "Sorry, I can't help with that request. I can book, move or cancel appointments, or "
    "pass a problem to our team."
)
SAFE_OUTPUT_REPLY = "Sorry, I can't answer that here. A member of our team will follow up with you shortly."


def screen_input(*, config: GuardrailConfig, text: str) -> CheckResult:
    """Check the customer's text: the findings, the redacted text, and whether it is blocked."""
    return check_input(text, config=config)


def screen_output(
    *, config: GuardrailConfig, reply: str, channel: str, customer: str
) -> tuple[str, CheckResult]:
    """The reply that may be sent (redacted where a rule says so, replaced when a rule blocks it) and the
    check."""
    result = check_output(reply, config=config, channel=channel, customer=customer)
    return (SAFE_OUTPUT_REPLY if result.blocked else result.text), result
