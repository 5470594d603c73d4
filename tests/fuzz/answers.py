"""What no answer of the API may contain, whatever was asked: a server error or a glimpse of the internals."""

from __future__ import annotations

import json
import re

import httpx

# Codes the API gives on purpose (backend/graphql/errors.py); INTERNAL_SERVER_ERROR is the masked unexpected.
EXPECTED_ERROR_CODES = frozenset(
    {
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "BAD_USER_INPUT",
        "BAD_REQUEST",
        "GRAPHQL_PARSE_FAILED",
        "GRAPHQL_VALIDATION_FAILED",
    }
)

# Tell-tales of a leak: stack traces, source paths, SQL, driver/ORM/library names and Python exception
# classes.
INTERNAL_DETAIL = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/work/|/usr/lib"
    r"|\b(SELECT\s.+\sFROM|INSERT INTO|UPDATE\s+\"?\w+\"?\s+SET|DELETE FROM)\b"
    r"|\b(asyncpg|tortoise|pydantic|strawberry|psycopg|saq)\b"
    r"|\b(KeyError|ValueError|TypeError|AttributeError|RuntimeError|IndexError|AssertionError|OverflowError"
    r"|ZeroDivisionError|UnicodeError|\w+DecodeError|IntegrityError|OperationalError|DoesNotExist"
    r"|MultipleObjectsReturned|\w+ViolationError|PostgresError|DataError|InterfaceError)\b"
    r"|Value error,|input_value=|\[type=",
    re.IGNORECASE,
)


def problems(response: httpx.Response, *, request_body: str) -> list[str]:
    """Everything wrong with this answer; empty when it is a clean success or a typed refusal."""
    found = []
    if response.status_code >= 500:
        found.append(f"HTTP {response.status_code}")
    for match in INTERNAL_DETAIL.finditer(response.text):
        # The fuzzer's own strings may come back quoted in a validation message; that is no leak.
        if match.group(0).lower() not in request_body.lower():
            found.append(f"internal detail {match.group(0)!r}")
    try:
        payload = response.json()
    except json.JSONDecodeError:
        return [*found, f"not JSON: {response.text[:200]!r}"]
    if not isinstance(payload, dict) or not ({"data", "errors"} & payload.keys()):
        return [*found, "not a GraphQL answer"]
    for error in payload.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        # Every error is typed: INTERNAL_SERVER_ERROR (a masked crash) or no code at all is a finding.
        if code not in EXPECTED_ERROR_CODES:
            found.append(f"server error {code}: {error.get('message')!r} at {error.get('path')}")
    return found
