"""Shared pieces for guardrail tests: the shipped config and a way to see which rules fired."""

from __future__ import annotations

from backend.guardrails.config import GuardrailConfig, load_guardrails
from backend.guardrails.engine import CheckResult, check_input, check_output

CONFIG: GuardrailConfig = load_guardrails("v1")
CUSTOMER = "+15552345678"


def fired(result: CheckResult) -> set[str]:
    """The names of the rules that found something."""
    return {finding.rule for finding in result.findings}


def input_rules(text: str) -> set[str]:
    """Which INPUT rules fire on a customer message under v1."""
    return fired(check_input(text, config=CONFIG))


def output_rules(text: str, *, channel: str = "CHAT", customer: str = CUSTOMER) -> set[str]:
    """Which OUTPUT rules fire on an agent reply under v1."""
    return fired(check_output(text, config=CONFIG, channel=channel, customer=customer))
