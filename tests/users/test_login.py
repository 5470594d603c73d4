"""Dashboard users: hashed passwords, login returns a role-scoped session key, logout ends it."""

import asyncio
from datetime import UTC, datetime, timedelta

from backend.auth.models import ApiKey
from backend.auth.service import ApiKeyAuthenticator
from backend.core.scopes import Scope
from backend.users import service
from backend.users.models import User, UserSession
from backend.users.roles import Role
from tests.helpers import graphql

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginPayload { token expiresAt scopes user { email role lastLoginAt } }
    ... on InvalidCredentials { message }
    ... on TooManyLoginAttempts { retryAfterSeconds }
  }
}
"""
LOGOUT = """
mutation { logout { __typename ... on LogoutPayload { ended } ... on ValidationError { field message } } }
"""
VIEWER = "{ viewer { keyName scopes } }"
REPLAY_DEAD_LETTERS = """
mutation { replayDeadLetters(input: {}) { __typename } }
"""


async def _user(email: str, role: Role, password: str = "correct horse battery") -> User:
    return await service.create_user(new_user=service.NewUser(email=email, password=password, role=role))


async def _login(client, email: str, password: str) -> dict:
    response = await graphql(client, LOGIN, variables={"input": {"email": email, "password": password}})
    assert response.status_code == 200, response.text
    return response.json()["data"]["login"]


async def test_password_is_stored_as_an_argon2_hash(app):
    user = await _user("Ana@Example.com ", Role.OPERATOR)
    assert user.email == "ana@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in user.password_hash


async def test_login_returns_a_session_key_with_the_roles_scopes(client):
    await _user("ana@example.com", Role.OPERATOR)
    result = await _login(client, "ANA@example.com", "correct horse battery")
    assert result["__typename"] == "LoginPayload"
    assert result["scopes"] == ["INGEST", "OPERATE", "READ"]
    assert result["user"]["email"] == "ana@example.com" and result["user"]["role"] == "OPERATOR"
    assert result["user"]["lastLoginAt"] is not None
    expires_at = datetime.fromisoformat(result["expiresAt"])
    assert timedelta(hours=11) < expires_at - datetime.now(UTC) <= timedelta(hours=12)

    viewer = await graphql(client, VIEWER, key=result["token"])
    assert viewer.json()["data"]["viewer"] == {
        "keyName": "ana@example.com",
        "scopes": ["INGEST", "OPERATE", "READ"],
    }
    key = await ApiKey.get(id=(await UserSession.get()).api_key_id)
    assert key.expires_at is not None and key.revoked_at is None


async def test_each_role_maps_to_its_scopes(client):
    expected = {Role.VIEWER: ["READ"], Role.OPERATOR: ["INGEST", "OPERATE", "READ"], Role.ADMIN: ["ADMIN"]}
    for role, scopes in expected.items():
        await _user(f"{role.value}@example.com", role)
        result = await _login(client, f"{role.value}@example.com", "correct horse battery")
        assert result["scopes"] == scopes


async def test_wrong_password_and_unknown_email_get_the_same_answer_and_change_nothing(client):
    await _user("ana@example.com", Role.ADMIN)
    keys_before = await ApiKey.all().count()
    wrong = await _login(client, "ana@example.com", "not the password")
    unknown = await _login(client, "nobody@example.com", "correct horse battery")
    assert (
        wrong
        == unknown
        == {"__typename": "InvalidCredentials", "message": "The e-mail or password is wrong."}
    )
    assert await ApiKey.all().count() == keys_before
    assert await UserSession.all().count() == 0
    assert (await User.get(email="ana@example.com")).last_login_at is None


async def test_an_email_no_user_can_have_is_just_invalid_credentials(client):
    for email in ("ana\x00@example.com", "x" * 300 + "@example.com", "no-at-sign"):
        assert (await _login(client, email, "whatever"))["__typename"] == "InvalidCredentials"


async def test_a_viewer_session_reads_but_may_not_operate(client):
    await _user("vic@example.com", Role.VIEWER)
    token = (await _login(client, "vic@example.com", "correct horse battery"))["token"]
    assert (await graphql(client, VIEWER, key=token)).status_code == 200
    refused = await graphql(client, REPLAY_DEAD_LETTERS, key=token)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_logout_ends_the_session_at_once(client):
    await _user("ana@example.com", Role.OPERATOR)
    token = (await _login(client, "ana@example.com", "correct horse battery"))["token"]
    assert (await graphql(client, VIEWER, key=token)).status_code == 200  # now cached
    response = await graphql(client, LOGOUT, key=token)
    assert response.json()["data"]["logout"] == {"__typename": "LogoutPayload", "ended": True}
    assert (await graphql(client, VIEWER, key=token)).status_code == 401


async def test_logout_with_an_ordinary_api_key_revokes_nothing(client, make_key):
    key = await make_key(Scope.READ)
    response = await graphql(client, LOGOUT, key=key)
    assert response.json()["data"]["logout"]["__typename"] == "ValidationError"
    assert (await graphql(client, VIEWER, key=key)).status_code == 200


async def test_an_expired_session_is_refused(client):
    await _user("ana@example.com", Role.ADMIN)
    token = (await _login(client, "ana@example.com", "correct horse battery"))["token"]
    await ApiKey.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    refused = await graphql(client, VIEWER, key=token)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cached_session_does_not_outlive_its_expiry(app):
    authenticator = ApiKeyAuthenticator(ttl_seconds=60)
    await _user("ana@example.com", Role.ADMIN)
    session = await service.log_in(
        email="ana@example.com", password="correct horse battery", session_lifetime=timedelta(seconds=0.5)
    )
    assert await authenticator.authenticate(token=session.token) is not None
    await asyncio.sleep(0.6)
    assert await authenticator.authenticate(token=session.token) is None


async def test_password_guessing_is_slowed_per_email(client, test_settings):
    await _user("ana@example.com", Role.ADMIN)
    for _ in range(test_settings.login_attempts_per_minute):
        assert (await _login(client, "ana@example.com", "guess"))["__typename"] == "InvalidCredentials"
    refused = await _login(client, "ANA@example.com", "correct horse battery")
    assert refused["__typename"] == "TooManyLoginAttempts" and 1 <= refused["retryAfterSeconds"] <= 60
    assert await UserSession.all().count() == 0
    other = await _user("bo@example.com", Role.VIEWER)
    assert (await _login(client, other.email, "correct horse battery"))["__typename"] == "LoginPayload"
