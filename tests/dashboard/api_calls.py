"""Set-up and checks the browser tests make through the API, as an operator's script would."""

from __future__ import annotations

import httpx

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginPayload { token } }
}
"""


def session_token(dashboard, user) -> str:
    """A fresh API session for `user` (the same login the dashboard makes)."""
    response = httpx.post(
        dashboard.api_url,
        json={
            "query": LOGIN,
            "variables": {"input": {"email": user.email, "password": user.password}},
        },
        timeout=10,
    )
    return response.json()["data"]["login"]["token"]


def call(
    dashboard, token: str, document: str, variables: dict | None = None, *, timeout: float = 10
) -> httpx.Response:
    """POST one GraphQL document with a bearer token."""
    return httpx.post(
        dashboard.api_url,
        json={"query": document, "variables": variables or {}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=timeout,
    )


def data(dashboard, token: str, document: str, variables: dict | None = None, *, timeout: float = 10) -> dict:
    """The `data` of a request that must succeed."""
    body = call(dashboard, token, document, variables, timeout=timeout).json()
    assert not body.get("errors"), body
    return body["data"]
