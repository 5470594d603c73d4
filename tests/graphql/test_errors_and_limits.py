"""Unexpected failures are masked behind a request id; abusive documents are refused before they run."""

from backend.conversations import service as conversation_service
from backend.core.scopes import Scope
from tests.helpers import graphql

CONVERSATIONS = "{ conversations(first: 5) { edges { node { id } } } }"


async def test_unexpected_failure_is_masked_and_logged_with_the_request_id(
    client, make_key, monkeypatch, caplog
):
    key = await make_key(Scope.READ)

    async def broken(**_kwargs):
        raise RuntimeError("connection to 10.0.0.7 refused: password=hunter2")

    monkeypatch.setattr(conversation_service, "page_conversations", broken)
    response = await graphql(client, CONVERSATIONS, key=key)

    request_id = response.headers["X-Request-ID"]
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
    assert request_id in error["message"]
    assert (
        "hunter2" not in response.text
        and "Traceback" not in response.text
        and "RuntimeError" not in response.text
    )

    failure = next(
        record.msg
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "graphql.unexpected_error"
    )
    assert failure["request_id"] == request_id
    assert "connection to 10.0.0.7 refused" in str(failure["exc_info"][1])


async def test_a_client_supplied_request_id_is_kept(client):
    response = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"},
    )
    assert response.headers["X-Request-ID"] == "0123456789abcdef0123456789abcdef"


async def test_too_deep_a_query_is_refused(client, make_key):
    key = await make_key(Scope.READ)
    nested = "id"
    for _ in range(6):
        nested = f"lastMessage {{ conversation {{ {nested} }} }}"
    response = await graphql(client, f"{{ conversations {{ edges {{ node {{ {nested} }} }} }} }}", key=key)
    body = response.json()
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]


async def test_too_many_aliases_are_refused(client):
    aliases = " ".join(f"a{index}: __typename" for index in range(16))
    body = (await graphql(client, f"{{ {aliases} }}")).json()
    assert "16 aliases found. Allowed: 15" in body["errors"][0]["message"]
    assert "data" not in body or body["data"] is None


async def test_too_many_tokens_are_refused(client):
    fields = " ".join("__typename" for _ in range(2100))
    body = (await graphql(client, f"{{ {fields} }}")).json()
    assert "token" in body["errors"][0]["message"].lower()


async def test_syntax_errors_are_explained_not_masked(client):
    body = (await graphql(client, "{ conversations(first: ")).json()
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_bad_page_size_and_cursor_are_typed_input_errors(client, make_key):
    key = await make_key(Scope.READ)
    too_big = (await graphql(client, "{ conversations(first: 1000) { edges { cursor } } }", key=key)).json()
    assert too_big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 1 and 100" in too_big["errors"][0]["message"]

    bad_cursor = (
        await graphql(client, '{ conversations(after: "not-a-cursor") { edges { cursor } } }', key=key)
    ).json()
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cursor" in bad_cursor["errors"][0]["message"]


async def test_malformed_node_id_is_a_typed_input_error(client, make_key):
    key = await make_key(Scope.READ)
    for bad_id in ["garbage", "Q29udmVyc2F0aW9uOm5vdC1hLXV1aWQ="]:  # the second is "Conversation:not-a-uuid"
        body = (await graphql(client, f'{{ node(id: "{bad_id}") {{ id }} }}', key=key)).json()
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


async def test_a_refused_document_carries_a_code_like_every_other_error(client, make_key):
    key = await make_key(Scope.READ)
    cases = {
        "{ conversations(first: ": "GRAPHQL_PARSE_FAILED",
        '{ conversations(first: "ten") { edges { cursor } } }': "GRAPHQL_VALIDATION_FAILED",
        "{ conversations(filter: {channel: FAX}) { edges { cursor } } }": "GRAPHQL_VALIDATION_FAILED",
        "{ noSuchField }": "GRAPHQL_VALIDATION_FAILED",
    }
    for document, code in cases.items():
        body = (await graphql(client, document, key=key)).json()
        assert [error["extensions"]["code"] for error in body["errors"]] == [code], (document, body)
    wrong_variable = await graphql(
        client,
        "query Q($n: Int) { conversations(first: $n) { edges { cursor } } }",
        key=key,
        variables={"n": "x"},
    )
    assert wrong_variable.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
