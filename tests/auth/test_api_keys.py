"""API keys: created with the secret shown once, stored hashed, refused once revoked."""

import asyncio
import hashlib

from backend.auth import service
from backend.auth.models import ApiKey
from backend.core.scopes import Scope
from tests.helpers import graphql

CREATE_API_KEY = """
mutation Create($input: CreateApiKeyInput!) {
  createApiKey(input: $input) {
    __typename
    ... on CreateApiKeyPayload { secret apiKey { id name prefix scopes isActive } }
    ... on ValidationError { field message }
  }
}
"""
REVOKE_API_KEY = """
mutation Revoke($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    __typename
    ... on RevokeApiKeyPayload { apiKey { id isActive revokedAt } }
    ... on NotFoundError { message }
    ... on ValidationError { field message }
  }
}
"""
VIEWER = "{ viewer { keyName scopes } }"
API_KEYS = """
query Keys($first: Int, $after: String, $filter: ApiKeyFilter) {
  apiKeys(first: $first, after: $after, filter: $filter) {
    edges { cursor node { name prefix isActive } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_created_key_is_shown_once_stored_hashed_and_works(client, make_key):
    admin = await make_key(Scope.ADMIN)
    response = await graphql(
        client,
        CREATE_API_KEY,
        key=admin,
        variables={"input": {"name": "sms gateway", "scopes": ["INGEST", "READ"]}},
    )
    payload = response.json()["data"]["createApiKey"]
    assert payload["__typename"] == "CreateApiKeyPayload"
    secret = payload["secret"]
    assert secret.startswith("ak_" + payload["apiKey"]["prefix"] + "_")
    assert payload["apiKey"]["scopes"] == ["INGEST", "READ"]

    stored = await ApiKey.get(prefix=payload["apiKey"]["prefix"])
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(await ApiKey.filter(id=stored.id).values())

    listing = await graphql(client, API_KEYS, key=admin)
    assert secret not in listing.text
    viewer = await graphql(client, VIEWER, key=secret)
    assert viewer.json()["data"]["viewer"] == {"keyName": "sms gateway", "scopes": ["INGEST", "READ"]}


async def test_invalid_input_is_refused_and_creates_nothing(client, make_key):
    admin = await make_key(Scope.ADMIN)
    before = await ApiKey.all().count()
    for bad_input, field in [
        ({"name": "   ", "scopes": ["READ"]}, "name"),
        ({"name": "x", "scopes": []}, "scopes"),
    ]:
        response = await graphql(client, CREATE_API_KEY, key=admin, variables={"input": bad_input})
        result = response.json()["data"]["createApiKey"]
        assert result["__typename"] == "ValidationError"
        assert result["field"] == field
    assert await ApiKey.all().count() == before


async def test_unknown_scope_is_a_typed_input_error(client, make_key):
    admin = await make_key(Scope.ADMIN)
    response = await graphql(
        client, CREATE_API_KEY, key=admin, variables={"input": {"name": "x", "scopes": ["SUPERUSER"]}}
    )
    body = response.json()
    assert body.get("data") is None
    assert "SUPERUSER" in body["errors"][0]["message"]


async def test_revoked_key_is_refused_at_once_on_the_replica_that_revoked_it(client, make_key):
    admin = await make_key(Scope.ADMIN)
    reader = await make_key(Scope.READ, name="reader")
    assert (await graphql(client, VIEWER, key=reader)).status_code == 200  # now cached
    key_id = (await ApiKey.get(name="reader")).id
    response = await graphql(client, REVOKE_API_KEY, key=admin, variables={"id": _global_id(key_id)})
    assert response.json()["data"]["revokeApiKey"]["apiKey"]["isActive"] is False

    refused = await graphql(client, VIEWER, key=reader)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "revoked" in refused.json()["errors"][0]["message"]


async def test_revocation_reaches_other_replicas_within_the_cache_lifetime(app):
    # A second authenticator stands for another API process with its own cache.
    other_replica = service.ApiKeyAuthenticator(ttl_seconds=1.0)
    key, secret = await service.create_api_key(name="replica test", scopes=[Scope.READ])
    assert await other_replica.authenticate(token=secret) is not None
    await service.revoke_api_key(key_id=key.id)
    await asyncio.sleep(1.1)
    assert await other_replica.authenticate(token=secret) is None


async def test_revoking_an_unknown_key_is_not_found(client, make_key):
    admin = await make_key(Scope.ADMIN)
    missing = _global_id("00000000-0000-0000-0000-000000000000")
    response = await graphql(client, REVOKE_API_KEY, key=admin, variables={"id": missing})
    assert response.json()["data"]["revokeApiKey"]["__typename"] == "NotFoundError"


async def test_wrong_or_missing_key_is_a_clear_401(client):
    wrong = await graphql(client, VIEWER, key="ak_deadbeef_not-a-real-key")
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "invalid" in wrong.json()["errors"][0]["message"]

    missing = await graphql(client, VIEWER)
    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["errors"][0]["message"]


async def test_key_list_pages_newest_first_and_hides_revoked_on_request(client, make_key):
    admin = await make_key(Scope.ADMIN, name="admin")
    for index in range(5):
        await make_key(Scope.READ, name=f"k{index}")
    revoked, _ = await service.create_api_key(name="old", scopes=[Scope.READ])
    await service.revoke_api_key(key_id=revoked.id)

    seen, after = [], None
    while True:
        page = (await graphql(client, API_KEYS, key=admin, variables={"first": 3, "after": after})).json()
        connection = page["data"]["apiKeys"]
        seen += [edge["node"]["name"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == ["old", "k4", "k3", "k2", "k1", "k0", "admin"]

    active = await graphql(client, API_KEYS, key=admin, variables={"filter": {"includeRevoked": False}})
    assert "old" not in [edge["node"]["name"] for edge in active.json()["data"]["apiKeys"]["edges"]]


def _global_id(key_id) -> str:
    from strawberry.relay import to_base64

    return to_base64("ApiKey", str(key_id))


async def test_a_database_failure_while_checking_a_key_is_a_503_with_the_request_id(app, client, monkeypatch):
    async def unreachable(**_kwargs):
        raise OSError("connection refused: postgres at 10.0.0.5")

    monkeypatch.setattr(app.state.services.authenticator, "authenticate", unreachable)
    response = await graphql(client, VIEWER, key="ak_0000_whatever")
    assert response.status_code == 503
    assert response.headers["X-Request-ID"] in response.text
    assert "10.0.0.5" not in response.text and "Traceback" not in response.text


async def test_concurrent_requests_after_the_cache_expired_share_one_lookup(app, monkeypatch):
    from tests.helpers import StatementCounter

    authenticator = service.ApiKeyAuthenticator(ttl_seconds=60)
    _, secret = await service.create_api_key(name="burst", scopes=[Scope.INGEST])
    counter = StatementCounter(monkeypatch)
    callers = await asyncio.gather(*(authenticator.authenticate(token=secret) for _ in range(20)))
    assert {caller.key_name for caller in callers} == {"burst"}
    lookups = [statement for statement in counter.statements if 'FROM "api_keys"' in statement]
    updates = [statement for statement in counter.statements if 'UPDATE "api_keys"' in statement]
    assert len(lookups) == 1 and len(updates) == 1, counter.statements


async def test_last_used_at_is_written_at_most_once_a_minute_per_key(app, monkeypatch):
    from tests.helpers import StatementCounter

    authenticator = service.ApiKeyAuthenticator(ttl_seconds=0.05, last_used_every_seconds=60)
    key, secret = await service.create_api_key(name="steady", scopes=[Scope.READ])
    assert await authenticator.authenticate(token=secret) is not None
    first_use = (await ApiKey.get(id=key.id)).last_used_at
    assert first_use is not None
    counter = StatementCounter(monkeypatch)
    for _ in range(3):
        await asyncio.sleep(0.06)  # the cached entry expires: each call reads the key again
        assert await authenticator.authenticate(token=secret) is not None
    assert len([s for s in counter.statements if 'FROM "api_keys"' in s]) == 3
    assert not [s for s in counter.statements if 'UPDATE "api_keys"' in s]
    assert (await ApiKey.get(id=key.id)).last_used_at == first_use
    # A key revoked meanwhile is refused on the next read, whatever was written when.
    await service.revoke_api_key(key_id=key.id)
    await asyncio.sleep(0.06)
    assert await authenticator.authenticate(token=secret) is None
