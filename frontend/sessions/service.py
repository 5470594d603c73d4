"""Logging a browser in through the API's `login`, and ending a browser's session everywhere."""

from __future__ import annotations

import logging
from datetime import datetime

from redis.exceptions import RedisError

from frontend import api
from frontend.sessions.registry import browser_tabs, sessions
from frontend.sessions.store import BrowserSession

log = logging.getLogger(__name__)

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginPayload { token expiresAt user { email role } }
  }
}
"""
LOGOUT = "mutation { logout { __typename } }"

# Why a login was refused -> what the login page says (the code travels in its address, never the text).
LOGIN_MESSAGES = {
    "missing": "Enter your e-mail and password.",
    "invalid": "The e-mail or password is wrong.",
    "throttled": "Too many login attempts; wait a minute and try again.",
    "unavailable": "The API cannot be reached right now; try again in a moment.",
    "no_store": "Sessions cannot be stored right now (Redis is unreachable); try again in a moment.",
}
_REFUSALS = {"InvalidCredentials": "invalid", "TooManyLoginAttempts": "throttled"}


class LoginRefused(Exception):
    """No session: `reason` is a key of LOGIN_MESSAGES."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


async def log_in(*, email: str, password: str) -> tuple[str, BrowserSession]:
    """A new browser session for this e-mail and password: the id for the cookie and the session; LoginRefused
    otherwise (nothing stored)."""
    if not email or not password:
        raise LoginRefused("missing")
    try:
        data = await api.execute(
            LOGIN, token=None, variables={"input": {"email": email, "password": password}}
        )
    except api.ApiError:
        raise LoginRefused("unavailable") from None
    result = data["login"]
    if result["__typename"] != "LoginPayload":
        raise LoginRefused(_REFUSALS.get(result["__typename"], "invalid"))
    # The session lasts as long as the API token it holds (AGENTOPS_SESSION_HOURS, applied by the API).
    session = BrowserSession(
        token=result["token"],
        email=result["user"]["email"],
        role=result["user"]["role"],
        expires_at=datetime.fromisoformat(result["expiresAt"]),
    )
    try:
        session_id = await sessions.create(
            token=session.token, email=session.email, role=session.role, expires_at=session.expires_at
        )
    except (RedisError, OSError):
        await _revoke(session)  # nobody can use it: it must not linger until it expires
        raise LoginRefused("no_store") from None
    return session_id, session


async def end_browser_session(*, key: str, notice: str | None = None, except_tab: str | None = None) -> None:
    """End a browser's session: forget it, revoke its API token, and send its open tabs (but `except_tab`) to
    login."""
    session = await sessions.end(key)
    # The tabs first: the once-a-second check would otherwise find the session gone while the API call below
    # runs and send them to login with its own, vaguer notice.
    browser_tabs.end(key, notice=notice, except_tab=except_tab)
    if session is not None:
        await _revoke(session)


async def _revoke(session: BrowserSession) -> None:
    try:
        await api.execute(LOGOUT, token=session.token)
    except api.SessionEnded:
        pass  # the API had ended it already (expired or revoked)
    except api.ApiError as error:
        # Forgotten here, so no tab can use it; the token itself still lapses at its expiry.
        log.warning("could not revoke an ended session's API token: %s", error.message)
