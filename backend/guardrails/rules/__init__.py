"""Every rule the engine ships, by the name config files use."""

from backend.guardrails.rules.abuse import Abuse
from backend.guardrails.rules.base import Hit, Rule, TextRule, TextTurn, ToolCall, ToolRule
from backend.guardrails.rules.booking_outside_hours import BookingOutsideHours
from backend.guardrails.rules.other_customer_pii import OtherCustomerPii
from backend.guardrails.rules.pii import Pii
from backend.guardrails.rules.prompt_injection import PromptInjection
from backend.guardrails.rules.reply_length import ReplyLength
from backend.guardrails.rules.tool_schema import ToolSchema
from backend.guardrails.rules.unauthorized_promise import UnauthorizedPromise

RULES: dict[str, type[Rule]] = {
    rule.name: rule
    for rule in (
        PromptInjection,
        Pii,
        Abuse,
        OtherCustomerPii,
        UnauthorizedPromise,
        ReplyLength,
        BookingOutsideHours,
        ToolSchema,
    )
}

__all__ = ["RULES", "Hit", "Rule", "TextRule", "TextTurn", "ToolCall", "ToolRule"]
