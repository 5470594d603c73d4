"""Checking what a turn did against what the golden case expects; each miss says what and how."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend.evals.golden import TurnExpectation


@dataclass(frozen=True)
class TurnRecord:
    reply: str | None
    tools: list[dict[str, Any]]  # [{name, arguments, result, error}] in call order
    violations: list[str]  # rule names
    handed_off: bool


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict) and set(expected) == {"matches"}:
        return actual is not None and re.search(expected["matches"], str(actual)) is not None
    if isinstance(expected, str) and isinstance(actual, str):
        return expected.lower() == actual.lower()
    return expected == actual


def _calls_in_order(expected: list, calls: list[dict[str, Any]]) -> str | None:
    position = 0
    for wanted in expected:
        while position < len(calls):
            call = calls[position]
            position += 1
            if call["name"] == wanted.name and all(
                _matches(v, call["arguments"].get(k)) for k, v in wanted.args.items()
            ):
                break
        else:
            return f"{wanted.name}({wanted.args})"
    return None


def check_turn(expect: TurnExpectation, record: TurnRecord) -> list[dict[str, Any]]:
    """The expectations this turn missed, as {expectation, expected, actual}."""
    misses: list[dict[str, Any]] = []

    def miss(expectation: str, expected: Any, actual: Any) -> None:
        misses.append({"expectation": expectation, "expected": expected, "actual": actual})

    reply = record.reply or ""
    names = [call["name"] for call in record.tools]
    if expect.silent is not None and expect.silent != (record.reply is None):
        miss("silent", expect.silent, record.reply)
    missing = _calls_in_order(expect.tools, record.tools)
    if missing:
        miss("tools", missing, names)
    for forbidden in expect.not_tools:
        if forbidden in names:
            miss("not_tools", forbidden, names)
    for text in expect.reply_contains:
        if text.lower() not in reply.lower():
            miss("reply_contains", text, reply)
    for text in expect.reply_not_contains:
        if text.lower() in reply.lower():
            miss("reply_not_contains", text, reply)
    if expect.reply_matches and not re.search(expect.reply_matches, reply):
        miss("reply_matches", expect.reply_matches, reply)
    if expect.handoff is not None and expect.handoff != record.handed_off:
        miss("handoff", expect.handoff, record.handed_off)
    if expect.violations is not None and sorted(set(expect.violations)) != sorted(set(record.violations)):
        miss("violations", sorted(set(expect.violations)), sorted(set(record.violations)))
    return misses
