"""Every list query refuses malformed filters, cursors and page sizes with BAD_USER_INPUT, never a masked
error."""

import base64
import json
import uuid
from dataclasses import dataclass

import pytest

from backend.core.scopes import Scope
from tests.helpers import graphql, row_counts

AWARE = "2026-01-01T00:00:00+00:00"
NAIVE = "2026-01-01T00:00:00"
LATER = "2026-02-01T00:00:00Z"


def _cursor(parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


# (query, its time-range filter fields) for every connection whose filter has a range.
RANGED = [
    ("conversations", "activeAfter", "activeBefore"),
    ("ingestEvents", "receivedAfter", "receivedBefore"),
    ("deadLetters", "deadAfter", "deadBefore"),
    ("agentRuns", "createdAfter", "createdBefore"),
    ("bookings", "createdAfter", "createdBefore"),
    ("tickets", "createdAfter", "createdBefore"),
    ("guardrailViolations", "createdAfter", "createdBefore"),
    ("runScores", "createdAfter", "createdBefore"),
]
PAGED = [name for name, _, _ in RANGED] + ["apiKeys", "evalSuites", "evalRuns", "incidents"]


@dataclass(frozen=True)
class Case:
    name: str
    document: str
    field: str | None = None  # the `field` extension the error must name, when it names one


CASES = [
    *[
        Case(
            f"{query} naive {start}",
            f'{{ {query}(filter: {{{start}: "{NAIVE}"}}) {{ edges {{ cursor }} }} }}',
            f"filter.{start}",
        )
        for query, start, _ in RANGED
    ],
    *[
        Case(
            f"{query} naive {end} beside an aware start",
            f'{{ {query}(filter: {{{start}: "{AWARE}", {end}: "{NAIVE}"}}) {{ edges {{ cursor }} }} }}',
            f"filter.{end}",
        )
        for query, start, end in RANGED
    ],
    *[
        Case(
            f"{query} reversed range",
            f'{{ {query}(filter: {{{start}: "{LATER}", {end}: "{AWARE}"}}) {{ edges {{ cursor }} }} }}',
            f"filter.{start}",
        )
        for query, start, end in RANGED
    ],
    *[
        Case(f"{query} cursor of garbage", f'{{ {query}(after: "%%%") {{ edges {{ cursor }} }} }}')
        for query in PAGED
    ],
    *[
        Case(
            f"{query} cursor without a zone",
            f'{{ {query}(after: "{_cursor([NAIVE, str(uuid.uuid4())])}") {{ edges {{ cursor }} }} }}',
        )
        for query in PAGED
    ],
    *[
        Case(
            f"{query} cursor of the wrong shape",
            f'{{ {query}(after: "{_cursor({"a": 1})}") {{ edges {{ cursor }} }} }}',
        )
        for query in PAGED
    ],
    *[
        Case(f"{query} first 0", f"{{ {query}(first: 0) {{ edges {{ cursor }} }} }}", "first")
        for query in PAGED
    ],
    Case(
        "violation rule longer than the column",
        '{ guardrailViolations(filter: {rule: "%s"}) { edges { cursor } } }' % ("r" * 61),
        "filter.rule",
    ),
    Case(
        "violation rule with NUL",
        '{ guardrailViolations(filter: {rule: "a\\u0000b"}) { edges { cursor } } }',
        "filter.rule",
    ),
    Case(
        "run policy longer than the column",
        '{ agentRuns(filter: {policy: "%s"}) { edges { cursor } } }' % ("p" * 41),
        "filter.policy",
    ),
    Case(
        "run prompt version longer than the column",
        '{ agentRuns(filter: {promptVersion: "%s"}) { edges { cursor } } }' % ("v" * 41),
        "filter.promptVersion",
    ),
    Case(
        "customer longer than the column",
        '{ conversations(filter: {customer: "%s"}) { edges { cursor } } }' % ("c" * 129),
        "filter.customer",
    ),
    Case(
        "customer with NUL",
        '{ conversations(filter: {customer: "+1\\u0000"}) { edges { cursor } } }',
        "filter.customer",
    ),
    Case(
        "message text with NUL",
        '{ conversations(filter: {text: "hi\\u0000"}) { edges { cursor } } }',
        "filter.text",
    ),
    Case(
        "suite name longer than the column",
        '{ evalSuites(name: "%s") { edges { cursor } } }' % ("s" * 81),
        "name",
    ),
    Case(
        "run suite longer than the column",
        '{ evalRuns(suite: "%s") { edges { cursor } } }' % ("s" * 81),
        "suite",
    ),
    Case("metrics naive from", f'{{ metrics(names: ["turns"], from: "{NAIVE}") {{ name }} }}', "filter.from"),
    Case(
        "metrics naive to",
        f'{{ metrics(names: ["turns"], from: "{AWARE}", to: "{NAIVE}") {{ name }} }}',
        "filter.to",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_list_arguments_are_typed_input_errors(client, make_key, case):
    key = await make_key(Scope.ADMIN)  # apiKeys needs admin; the others read
    before = await row_counts()
    body = (await graphql(client, case.document, key=key)).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    if case.field:
        assert error["extensions"]["field"] == case.field, body
    assert await row_counts() == before
