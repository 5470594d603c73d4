"""schemathesis against every query and mutation, as each kind of caller: no 5xx, no server error, no leak.

Cases come from the committed schema.graphql (a test keeps it equal to the code) and run against the
in-process app on the real database and Redis. Generation is derandomized, so a run is repeatable and a
failure names the document that caused it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.scopes import Scope
from backend.settings import PROJECT_ROOT
from tests.fuzz import scalars
from tests.fuzz.answers import problems

scalars.register()
SCHEMA = schemathesis.graphql.from_path(PROJECT_ROOT / "schema.graphql")
OPERATIONS = {
    operation.label: operation for operation in (result.ok() for result in SCHEMA.get_all_operations())
}
CALLERS = ("none", *(scope.value for scope in Scope))
# Per operation and caller: 34 operations x 5 callers x 25 takes about two minutes on 2 cores.
# AGENTOPS_FUZZ_EXAMPLES=200 digs deeper before a release.
EXAMPLES = int(os.environ.get("AGENTOPS_FUZZ_EXAMPLES", "25"))


@pytest.fixture(params=CALLERS)
async def caller_headers(request: pytest.FixtureRequest, make_key) -> dict[str, str]:
    """The Authorization header of a fresh key with one scope, or no header at all."""
    if request.param == "none":
        return {}
    return {"Authorization": f"Bearer {await make_key(Scope(request.param), name=f'fuzz {request.param}')}"}


@pytest.mark.parametrize("label", sorted(OPERATIONS))
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
async def test_no_answer_is_a_server_error_or_leaks_internals(client, caller_headers, label, data):
    case = data.draw(OPERATIONS[label].as_strategy(), label="case")
    response = await client.post("/graphql", json={"query": case.body}, headers=caller_headers)
    found = problems(response, request_body=case.body)
    assert not found, (
        f"{found}\n--- sent ---\n{case.body}\n--- answered {response.status_code} ---\n{response.text}"
    )
