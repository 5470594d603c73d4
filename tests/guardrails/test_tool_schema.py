"""Tool arguments are checked against the tool's JSON schema, including the real agent tools' schemas."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from backend.agent.tools.registry import TOOLS
from backend.guardrails.engine import check_tool
from backend.guardrails.json_schema import schema_errors
from tests.guardrails.helpers import CONFIG

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/New_York"))
HOURS = {day: (time(9), time(17)) for day in range(6)}
SLOT = "7f0c2a52-1a2b-4c3d-9e8f-0a1b2c3d4e5f"


def _schema_messages(name: str, arguments: dict) -> list[str]:
    result = check_tool(
        name,
        arguments,
        config=CONFIG,
        json_schema=TOOLS[name].json_schema(),
        now=NOW,
        hours=HOURS,
        slot_start=None,
    )
    return [finding.message for finding in result.findings if finding.rule == "tool_schema"]


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("check_availability", {"service": "haircut", "date_from": "2026-11-26"}),
        (
            "check_availability",
            {"service": "haircut", "date_from": "2026-11-26", "date_to": None, "limit": 3},
        ),
        ("check_availability", {"service": "massage", "date_from": "2026-11-26", "time_of_day": "evening"}),
        ("check_availability", {"service": "haircut", "date_from": "2026-11-26", "from_time": "15:00"}),
        ("book_appointment", {"slot_id": SLOT, "customer_name": "Maria Lopez"}),
        ("book_appointment", {"slot_id": SLOT, "customer_name": "Maria", "customer_phone": None}),
        ("create_ticket", {"subject": "Refund", "description": "Wants the deposit back", "priority": "HIGH"}),
        ("handoff_to_human", {"reason": "asked for a person"}),
    ],
)
def test_valid_calls_pass(name, arguments):
    assert _schema_messages(name, arguments) == []


@pytest.mark.parametrize(
    ("name", "arguments", "problem"),
    [
        ("check_availability", {"service": "haircut"}, "missing required argument 'date_from'"),
        (
            "check_availability",
            {"service": "haircut", "date_from": "next friday"},
            "date_from: not a valid date",
        ),
        ("check_availability", {"service": "haircut", "date_from": "2026-02-30"}, "not a valid date"),
        (
            "check_availability",
            {"service": "haircut", "date_from": "2026-11-26", "date_to": "soon"},
            "not a valid date",
        ),
        (
            "check_availability",
            {"service": "haircut", "date_from": "2026-11-26", "time_of_day": "night"},
            "one of",
        ),
        ("check_availability", {"service": "haircut", "date_from": "2026-11-26", "limit": 50}, "at most 20"),
        (
            "check_availability",
            {"service": "haircut", "date_from": "2026-11-26", "limit": True},
            "expected integer",
        ),
        ("check_availability", {"service": "", "date_from": "2026-11-26"}, "shorter than 1"),
        (
            "check_availability",
            {"service": "haircut", "date_from": "2026-11-26", "from_time": "3pm"},
            "valid time",
        ),
        ("book_appointment", {"slot_id": "slot-3", "customer_name": "Maria"}, "not a valid uuid"),
        (
            "book_appointment",
            {"slot_id": SLOT, "customer_name": "Maria", "vip": True},
            "unexpected argument 'vip'",
        ),
        ("book_appointment", {"slot_id": SLOT, "customer_name": 42}, "expected string, got integer"),
        ("create_ticket", {"subject": "Refund", "description": "x" * 10, "priority": "ASAP"}, "one of LOW"),
    ],
)
def test_invalid_calls_are_blocked_with_the_reason(name, arguments, problem):
    messages = _schema_messages(name, arguments)
    assert any(problem in message for message in messages), messages


def test_messages_never_echo_argument_values():
    (message,) = _schema_messages(
        "book_appointment", {"slot_id": SLOT, "customer_name": "Maria", "customer_phone": 5552345678}
    )
    assert "5552345678" not in message


def test_a_bare_parameters_schema_works_too():
    schema = TOOLS["handoff_to_human"].json_schema()["function"]["parameters"]
    result = check_tool(
        "handoff_to_human", {}, config=CONFIG, json_schema=schema, now=NOW, hours=HOURS, slot_start=None
    )
    assert result.blocked
    assert "missing required argument 'reason'" in result.findings[0].message


def test_a_schema_for_another_tool_is_a_finding():
    messages = _schema_messages_with("create_ticket", TOOLS["handoff_to_human"].json_schema())
    assert messages == ["schema describes tool 'handoff_to_human', not 'create_ticket'"]


def _schema_messages_with(name: str, schema: dict) -> list[str]:
    result = check_tool(name, {}, config=CONFIG, json_schema=schema, now=NOW, hours=HOURS, slot_start=None)
    return [finding.message for finding in result.findings]


@pytest.mark.parametrize(
    ("instance", "schema", "errors"),
    [
        (
            [1, 2],
            {"type": "array", "items": {"type": "integer"}, "maxItems": 1},
            ["arguments: more than 1 items"],
        ),
        (
            [1, "a"],
            {"type": "array", "items": {"type": "integer"}},
            ["arguments[1]: expected integer, got string"],
        ),
        (5.0, {"type": "integer"}, []),
        (3, {"type": "number", "exclusiveMinimum": 3}, ["arguments: must be more than 3"]),
        ("x", {"const": "y"}, ["arguments: must be 'y'"]),
        ("ab", {"type": "string", "pattern": "^a"}, []),
        (
            {"a": 1},
            {"type": "object", "additionalProperties": {"type": "string"}},
            ["arguments.a: expected string, got integer"],
        ),
        ("2026-11-26T10:00:00-05:00", {"type": "string", "format": "date-time"}, []),
        (
            "x",
            {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]},
            ["arguments: matches more than one allowed form"],
        ),
        (None, {"allOf": [{"type": ["string", "null"]}]}, []),
    ],
)
def test_json_schema_subset(instance, schema, errors):
    assert schema_errors(instance, schema) == errors
