"""What an evaluator sees of one turn: the customer's message and the reply as stored (the guardrails'
redacted text), the tools the turn used and what they answered, the guardrail hits, and the thread before
it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.core.enums import Channel

# A side effect that happened, by the key its tool's result sets to true (registry.py's answers).
SUCCESS_KEYS = {
    "book_appointment": "booked",
    "cancel_booking": "cancelled",
    "reschedule_booking": "rescheduled",
    "handoff_to_human": "handed_off",
}


@dataclass(frozen=True)
class ToolUse:
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any] | None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """The tool did what it is for: no error, and for a side effect, its result says it happened."""
        if self.error is not None or not isinstance(self.result, dict) or "error" in self.result:
            return False
        if self.name == "create_ticket":
            return bool(self.result.get("ticket_id"))
        key = SUCCESS_KEYS.get(self.name)
        return key is None or self.result.get(key) is True

    @property
    def outcome(self) -> str:
        """The result in a few words, with no personal data (what the judge is told)."""
        result = self.result if isinstance(self.result, dict) else {}
        if self.error is not None or "error" in result:
            return "failed"
        if self.name == "check_availability":
            return f"{len(result.get('slots') or [])} open slot(s)"
        if self.name == "find_bookings":
            return f"{len(result.get('bookings') or [])} upcoming booking(s)"
        if self.name == "create_ticket":
            return "ticket opened" if result.get("ticket_id") else "no ticket"
        key = SUCCESS_KEYS.get(self.name)
        if key is None:
            return "ok"
        if result.get(key) is True:
            when = (
                f" for {result.get('service', 'the service')} at {result['starts_at']}"
                if "starts_at" in result
                else ""
            )
            return f"{key}{when}" if key != "handed_off" else "handed off"
        return f"not {key} ({result.get('reason', 'refused')})"


@dataclass(frozen=True)
class ThreadLine:
    author: str  # CUSTOMER, AGENT, HUMAN or OPERATOR
    text: str
    at: datetime | None = None


@dataclass(frozen=True)
class TurnSubject:
    """One turn as evaluators score it. `now` is when it ran, aware, in the business's time zone."""

    channel: Channel
    customer_text: str
    reply: str | None
    tools: tuple[ToolUse, ...]
    now: datetime
    violations: tuple[str, ...] = ()  # the guardrail rules that fired, one entry per hit
    failed: bool = False  # the run is FAILED: the customer got the fallback reply
    earlier: tuple[ThreadLine, ...] = ()  # the thread before the customer's message, oldest first
    earlier_tools: tuple[ToolUse, ...] = ()  # what the conversation's earlier turns did with their tools
    services: tuple[str, ...] = field(default_factory=tuple)

    def succeeded(self, *names: str, earlier: bool = False) -> list[ToolUse]:
        """This turn's successful calls of these tools (and the earlier turns' too, with `earlier`)."""
        pool = self.tools + (self.earlier_tools if earlier else ())
        return [use for use in pool if use.name in names and use.succeeded]

    @property
    def handed_off(self) -> bool:
        return bool(self.succeeded("handoff_to_human"))
