"""Every mutation refuses bad input with a typed answer and changes nothing; abusive documents are refused
whole.

Ingest mutations and webhooks have their own table in tests/ingest/test_bad_input.py.
"""

import base64
import uuid
from dataclasses import dataclass

import pytest

from backend.core.scopes import Scope
from backend.incidents.models import Incident
from tests.helpers import graphql, row_counts


def _gid(type_name: str, local: str | None = None) -> str:
    return base64.b64encode(f"{type_name}:{local or uuid.uuid4()}".encode()).decode()


@dataclass(frozen=True)
class Case:
    name: str
    document: str
    expect: str  # a union member's __typename, or an error code
    field: str | None = None


def _m(field: str, input_: str) -> str:
    # Every mutation's result union has ValidationError; NotFoundError is told by its __typename alone.
    return (
        f"mutation {{ {field}(input: {{{input_}}}) {{ __typename ... on ValidationError {{ field "
        f"message }} }} }}"
    )


CONVERSATION_MUTATIONS = ["closeConversation", "returnToAgent"]
INCIDENT_MUTATIONS = ["acknowledgeIncident", "resolveIncident", "addIncidentNote"]

CASES = [
    # API keys
    Case(
        "createApiKey blank name",
        _m("createApiKey", 'name: "   ", scopes: [READ]'),
        "ValidationError",
        "name",
    ),
    Case(
        "createApiKey name too long",
        _m("createApiKey", f'name: "{"n" * 101}", scopes: [READ]'),
        "ValidationError",
        "name",
    ),
    Case("createApiKey no scopes", _m("createApiKey", 'name: "k", scopes: []'), "ValidationError", "scopes"),
    Case(
        "createApiKey unknown scope",
        _m("createApiKey", 'name: "k", scopes: [ROOT]'),
        "GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "createApiKey name of the wrong type",
        _m("createApiKey", "name: 5, scopes: [READ]"),
        "GRAPHQL_VALIDATION_FAILED",
    ),
    Case("revokeApiKey malformed id", _m("revokeApiKey", 'id: "%%%"'), "BAD_USER_INPUT"),
    Case(
        "revokeApiKey id of another type",
        _m("revokeApiKey", f'id: "{_gid("Conversation")}"'),
        "ValidationError",
        "id",
    ),
    Case(
        "revokeApiKey id that is not a uuid",
        _m("revokeApiKey", f'id: "{_gid("ApiKey", "42")}"'),
        "ValidationError",
        "id",
    ),
    Case("revokeApiKey missing key", _m("revokeApiKey", f'id: "{_gid("ApiKey")}"'), "NotFoundError"),
    # Conversations
    *[
        Case(f"{name} malformed id", _m(name, 'conversationId: "%%%"'), "BAD_USER_INPUT")
        for name in CONVERSATION_MUTATIONS
    ],
    *[
        Case(
            f"{name} id of another type",
            _m(name, f'conversationId: "{_gid("Ticket")}"'),
            "ValidationError",
            "conversationId",
        )
        for name in CONVERSATION_MUTATIONS
    ],
    *[
        Case(
            f"{name} missing conversation",
            _m(name, f'conversationId: "{_gid("Conversation")}"'),
            "NotFoundError",
        )
        for name in CONVERSATION_MUTATIONS
    ],
    Case(
        "sendHumanReply empty text",
        _m("sendHumanReply", f'conversationId: "{_gid("Conversation")}", text: ""'),
        "ValidationError",
        "text",
    ),
    Case(
        "sendHumanReply NUL in text",
        _m("sendHumanReply", f'conversationId: "{_gid("Conversation")}", text: "a\\u0000"'),
        "ValidationError",
        "text",
    ),
    Case(
        "sendHumanReply missing conversation",
        _m("sendHumanReply", f'conversationId: "{_gid("Conversation")}", text: "hello"'),
        "NotFoundError",
    ),
    # Dead letters
    Case("replayDeadLetter malformed id", _m("replayDeadLetter", 'deadLetterId: "%%%"'), "BAD_USER_INPUT"),
    Case(
        "replayDeadLetter id of another type",
        _m("replayDeadLetter", f'deadLetterId: "{_gid("Message")}"'),
        "ValidationError",
        "deadLetterId",
    ),
    Case(
        "replayDeadLetter missing letter",
        _m("replayDeadLetter", f'deadLetterId: "{_gid("DeadLetter")}"'),
        "NotFoundError",
    ),
    Case(
        "replayDeadLetters naive time",
        'mutation { replayDeadLetters(input: {filter: {deadAfter: "2026-01-01T00:00:00"}}) { replayed } }',
        "BAD_USER_INPUT",
        "filter.deadAfter",
    ),
    Case(
        "replayDeadLetters reversed range",
        'mutation { replayDeadLetters(input: {filter: {deadAfter: "2026-02-01T00:00:00Z", '
        'deadBefore: "2026-01-01T00:00:00Z"}}) { replayed } }',
        "BAD_USER_INPUT",
        "filter.deadAfter",
    ),
    Case(
        "replayDeadLetters unknown channel",
        "mutation { replayDeadLetters(input: {filter: {channel: FAX}}) { replayed } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    # Agent playground
    Case("agentRespond no messages", _m("agentRespond", "messages: []"), "ValidationError", "messages"),
    Case(
        "agentRespond NUL in a message",
        _m("agentRespond", 'messages: ["a\\u0000"]'),
        "ValidationError",
        "messages",
    ),
    Case(
        "agentRespond unknown policy",
        _m("agentRespond", 'messages: ["hi"], policy: "oracle"'),
        "ValidationError",
        "policy",
    ),
    Case(
        "agentRespond conversation of another type",
        _m("agentRespond", f'messages: ["hi"], conversationId: "{_gid("Booking")}"'),
        "ValidationError",
        "conversationId",
    ),
    Case(
        "agentRespond dryRun of the wrong type",
        _m("agentRespond", 'messages: ["hi"], dryRun: "no"'),
        "GRAPHQL_VALIDATION_FAILED",
    ),
    # Evals
    Case(
        "startEvalRun unknown policy",
        _m("startEvalRun", 'suite: "booking", policy: "oracle"'),
        "ValidationError",
        "policy",
    ),
    Case("startEvalRun unknown suite", _m("startEvalRun", 'suite: "no-such-suite"'), "NotFoundError"),
    Case(
        "startEvalRun NUL in the suite name",
        _m("startEvalRun", 'suite: "\\u0000"'),
        "ValidationError",
        "suite",
    ),
    Case(
        "startEvalRun suite name longer than any stored",
        _m("startEvalRun", f'suite: "{"s" * 81}"'),
        "ValidationError",
        "suite",
    ),
    Case(
        "agentRespond deliver on a dry run",
        _m("agentRespond", 'messages: ["hi"], deliver: true'),
        "ValidationError",
        "deliver",
    ),
    Case(
        "createGoldenFromConversation bad suite name",
        _m("createGoldenFromConversation", f'conversationId: "{_gid("Conversation")}", suite: "Bad Suite!"'),
        "ValidationError",
        "suite",
    ),
    Case(
        "createGoldenFromConversation missing conversation",
        _m("createGoldenFromConversation", f'conversationId: "{_gid("Conversation")}", suite: "mine"'),
        "NotFoundError",
    ),
    # Incidents
    *[Case(f"{name} malformed id", _m(name, 'id: "%%%"'), "BAD_USER_INPUT") for name in INCIDENT_MUTATIONS],
    *[
        Case(f"{name} id of another type", _m(name, f'id: "{_gid("Ticket")}", note: "n"'), "BAD_USER_INPUT")
        for name in INCIDENT_MUTATIONS
    ],
    *[
        Case(f"{name} missing incident", _m(name, f'id: "{_gid("Incident")}", note: "n"'), "NotFoundError")
        for name in INCIDENT_MUTATIONS
    ],
    # Abusive documents, refused before anything runs
    Case(
        "alias bomb",
        "mutation { "
        + " ".join(
            f'a{i}: closeConversation(input: {{conversationId: "{_gid("Conversation")}"}}) {{ __typename }}'
            for i in range(16)
        )
        + " }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "fragment cycle",
        "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    # Each fragment spreads the previous one and adds an alias: no single selection looks large.
    Case(
        "aliases hidden in a chain of fragments",
        "query { ...F16 } fragment F1 on Query { a1: viewer { keyName } } "
        + " ".join(
            f"fragment F{i} on Query {{ ...F{i - 1} a{i}: viewer {{ keyName }} }}" for i in range(2, 17)
        ),
        "GRAPHQL_VALIDATION_FAILED",
    ),
    Case(
        "wide document",
        "mutation { " + " ".join("__typename" for _ in range(2100)) + " }",
        "GRAPHQL_PARSE_FAILED",
    ),
    Case(
        "deep document",
        "query { conversations { edges { node { "
        + "lastMessage { conversation { " * 6
        + "id"
        + " } }" * 6
        + " } } } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_bad_mutation_input_gets_a_typed_answer_and_changes_nothing(client, make_key, case):
    key = await make_key(Scope.ADMIN)
    await Incident.create(slo="turn-success", severity="page", summary="burning", peak_burn_rate=14.4)
    before = await row_counts()
    body = (await graphql(client, case.document, key=key)).json()
    if body.get("errors"):
        assert [error["extensions"]["code"] for error in body["errors"]] == [case.expect], body
    else:
        (answer,) = body["data"].values()
        assert answer["__typename"] == case.expect, body
        if case.field:
            assert answer["field"] == case.field, body
    assert await row_counts() == before


async def test_a_batch_of_operations_is_refused_whole(client, make_key):
    key = await make_key(Scope.ADMIN)
    before = await row_counts()
    batch = [{"query": 'mutation { createApiKey(input: {name: "k", scopes: [READ]}) { __typename } }'}] * 50
    response = await client.post("/graphql", json=batch, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 400
    assert "batch" in response.text.lower()
    assert await row_counts() == before
