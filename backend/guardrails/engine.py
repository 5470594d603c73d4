"""The guardrail engine: runs a config's rules on customer text, agent replies and tool calls, on every
turn."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from backend.guardrails import pii_detection
from backend.guardrails.config import ConfiguredRule, GuardrailConfig
from backend.guardrails.enums import Action, Severity, Stage
from backend.guardrails.excerpts import excerpt
from backend.guardrails.rules import Hit, TextRule, TextTurn, ToolCall, ToolRule


@dataclass(frozen=True)
class Finding:
    """One rule hit."""

    rule: str
    stage: Stage
    action: Action
    severity: Severity
    message: str  # human-readable why, with no raw personal data in it
    excerpt: str  # the offending part of the text with personal data redacted, at most 200 characters


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    text: str  # the text after REDACT actions (unchanged if none); for a tool call, the call as "name {json}"
    blocked: bool  # some finding's action is BLOCK


def check_input(text: str, *, config: GuardrailConfig) -> CheckResult:
    """Run the INPUT rules on a customer's message."""
    return _check_text(TextTurn(text=text, stage=Stage.INPUT), config=config)


def check_output(text: str, *, config: GuardrailConfig, channel: str, customer: str) -> CheckResult:
    """Run the OUTPUT rules on an agent reply to `customer` (their own identifier) on `channel`."""
    return _check_text(
        TextTurn(text=text, stage=Stage.OUTPUT, channel=channel, customer=customer), config=config
    )


def check_tool(
    name: str,
    arguments: dict[str, Any],
    *,
    config: GuardrailConfig,
    json_schema: Mapping[str, Any],
    now: datetime,
    hours: Mapping[int, tuple[time, time]],
    slot_start: datetime | None,
) -> CheckResult:
    """Run the TOOL rules on a call before it runs; `now` must be aware and in the business's zone (hours
    are).

    `slot_start` is when the slot named by the call's `slot_id` argument starts, for any tool that has one
    (book_appointment, reschedule_booking); the rules judge it the same way whichever tool books it.
    """
    call = ToolCall(
        name=name, arguments=arguments, json_schema=json_schema, now=now, hours=hours, slot_start=slot_start
    )
    rendered = f"{name} {json.dumps(arguments, sort_keys=True, ensure_ascii=False, default=str)}"
    findings = []
    for entry in config.for_stage(Stage.TOOL):
        if not isinstance(entry.rule, ToolRule):
            raise TypeError(f"rule {entry.name!r} at stage TOOL is not a tool rule")
        findings += [_finding(entry, hit, text=rendered) for hit in entry.rule.check(call)]
    return CheckResult(findings=findings, text=rendered, blocked=_blocks(findings))


def redact(text: str) -> str:
    """The text with all personal data replaced by placeholders; use before anything is logged or stored."""
    return pii_detection.redact(text)


def _check_text(turn: TextTurn, *, config: GuardrailConfig) -> CheckResult:
    findings: list[Finding] = []
    replacements: list[tuple[int, int, str]] = []
    for entry in config.for_stage(turn.stage):
        if not isinstance(entry.rule, TextRule):
            raise TypeError(f"rule {entry.name!r} at stage {turn.stage.value} is not a text rule")
        for hit in entry.rule.check(turn):
            findings.append(_finding(entry, hit, text=turn.text))
            if entry.action is Action.REDACT and hit.replacement is not None:
                replacements.append((hit.start, _end(hit, turn.text), hit.replacement))
    return CheckResult(findings=findings, text=_replace(turn.text, replacements), blocked=_blocks(findings))


def _finding(entry: ConfiguredRule, hit: Hit, *, text: str) -> Finding:
    return Finding(
        rule=entry.name,
        stage=entry.stage,
        action=entry.action,
        severity=entry.severity,
        # Rules write messages without raw data; redacting again keeps a careless custom message safe too.
        message=pii_detection.redact(hit.message),
        excerpt=excerpt(text, start=hit.start, end=_end(hit, text)),
    )


def _replace(text: str, replacements: list[tuple[int, int, str]]) -> str:
    pieces: list[str] = []
    position = 0
    # Two rules may redact overlapping spans; the earlier (then longer) one wins and the other is skipped.
    for start, end, replacement in sorted(replacements, key=lambda item: (item[0], -item[1])):
        if start < position:
            continue
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _end(hit: Hit, text: str) -> int:
    return len(text) if hit.end is None else hit.end


def _blocks(findings: list[Finding]) -> bool:
    return any(finding.action is Action.BLOCK for finding in findings)
