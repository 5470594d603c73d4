"""GraphiQL ready to use: the page carries example operations that are valid and run, and never a key."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from graphql import parse, validate

from backend.api.graphiql import EXAMPLES, graphiql_page
from backend.api.schema import get_schema
from backend.cli.up import graphiql_link
from backend.core.scopes import Scope
from tests.helpers import graphql


def _filled(variables: str | None) -> dict:
    """The variables as the page fills them in when it opens."""
    if variables is None:
        return {}
    return json.loads(
        variables.replace("{{now}}", datetime.now(UTC).isoformat()).replace(
            "{{unique}}", uuid.uuid4().hex[:8]
        )
    )


def test_every_example_is_valid_against_the_schema_and_named():
    schema = get_schema()._schema
    kinds = []
    for example in EXAMPLES:
        document = parse(example.document)
        assert validate(schema, document) == [], example.document
        (operation,) = document.definitions
        assert operation.name is not None  # GraphiQL titles the tab with it
        kinds.append(operation.operation.value)
    assert kinds == ["query", "mutation", "subscription", "query"]


async def test_the_page_holds_the_examples_and_reads_the_key_only_from_the_fragment(app, client):
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.text == graphiql_page()
    for example in EXAMPLES:
        assert json.dumps(example.document)[1:-1] in page.text
    assert "location.hash" in page.text and "location.search" not in page.text.replace(
        "window.location.pathname + window.location.search", ""
    )  # the query string is only kept, never read
    assert "ak_" not in page.text
    assert (
        graphiql_link("http://127.0.0.1:8000", "ak_secret") == "http://127.0.0.1:8000/graphql#key=ak_secret"
    )


async def test_the_examples_run_with_an_admin_key(app, client, make_key):
    key = await make_key(Scope.ADMIN)
    answers = {}
    for example in EXAMPLES:
        if parse(example.document).definitions[0].operation.value == "subscription":
            continue  # over a websocket: tests/dashboard/test_graphiql.py runs it in GraphiQL itself
        body = (await graphql(client, example.document, key=key, variables=_filled(example.variables))).json()
        assert "errors" not in body, body
        answers.update(body["data"])
    assert answers["ingestEvent"]["__typename"] == "EventAccepted"
    assert "edges" in answers["conversations"] and "edges" in answers["sandboxMessages"]
    assert [row["channel"] for row in answers["deliveryEndpoints"]] == ["SMS", "CHAT", "VOICE"]
