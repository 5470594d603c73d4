"""Each scope against a read, a write and an admin field: allowed exactly where the scope grants it."""

import pytest

from backend.core.scopes import Scope
from tests.helpers import graphql

READ_FIELD = "{ conversations(first: 1) { edges { cursor } } }"
WRITE_FIELD = """
mutation { closeConversation(input: {conversationId:
    "Q29udmVyc2F0aW9uOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="}) {
  __typename
} }
"""
ADMIN_FIELD = "{ apiKeys(first: 1) { edges { cursor } } }"

FIELDS = {"read": READ_FIELD, "write": WRITE_FIELD, "admin": ADMIN_FIELD}
ALLOWED = {
    Scope.INGEST: set(),
    Scope.READ: {"read"},
    Scope.OPERATE: {"write"},
    Scope.ADMIN: {"read", "write", "admin"},
}


@pytest.mark.parametrize("scope", list(Scope), ids=lambda scope: scope.value)
@pytest.mark.parametrize("field", list(FIELDS))
async def test_scope_matrix(client, make_key, scope, field):
    key = await make_key(scope)
    response = await graphql(client, FIELDS[field], key=key)
    body = response.json()
    if field in ALLOWED[scope]:
        assert response.status_code == 200, body
        assert "errors" not in body
    else:
        assert response.status_code == 403
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert body["data"] is None


@pytest.mark.parametrize("field", list(FIELDS))
async def test_no_key_is_unauthenticated_everywhere(client, field):
    response = await graphql(client, FIELDS[field])
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
