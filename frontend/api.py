"""GraphQL over HTTP: the only way the dashboard's pages read and change anything."""

from __future__ import annotations

from typing import Any

import httpx

from frontend.config import get_config


class ApiError(Exception):
    """The API refused or could not answer; `message` is fit to show a user."""

    def __init__(self, message: str, *, code: str = "API_ERROR") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class SessionEnded(ApiError):
    """The user's token is no longer accepted (logged out elsewhere, expired, revoked)."""


_client: httpx.AsyncClient | None = None


def _http() -> httpx.AsyncClient:
    # One connection pool per dashboard process, shared by every session.
    global _client
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=get_config().request_timeout_seconds)
    return _client


async def close_http() -> None:
    """Close the shared pool (at shutdown)."""
    if _client is not None:
        await _client.aclose()


async def execute(
    document: str, *, token: str | None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The `data` of a GraphQL request made with the user's token; ApiError (or SessionEnded) otherwise."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        response = await _http().post(
            get_config().api_url, json={"query": document, "variables": variables or {}}, headers=headers
        )
    except httpx.HTTPError:
        raise ApiError(
            "The API cannot be reached right now; try again in a moment.", code="UNAVAILABLE"
        ) from None
    try:
        body = response.json()
    except ValueError:
        raise ApiError(f"The API answered HTTP {response.status_code}.", code="UNAVAILABLE") from None
    errors = body.get("errors") or []
    if errors:
        first = errors[0]
        code = (first.get("extensions") or {}).get("code", "API_ERROR")
        error_class = SessionEnded if code == "UNAUTHENTICATED" else ApiError
        raise error_class(first.get("message", "The API refused the request."), code=code)
    return body["data"]
