"""The session cookie: HTTP-only (no script can read it), SameSite=Strict, set and cleared only by HTTP
responses.

SameSite=Strict keeps it off every request another site starts — form posts, and the websocket a page on
another site could open to the dashboard — while the dashboard's own pages and socket carry it. Reflex's
`rx.Cookie` is set by JavaScript, so it cannot be HTTP-only: the login and logout routes set this one instead,
and the pages read it from their socket's request headers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import cookie_parser
from starlette.responses import Response

COOKIE_NAME = "agentops_session"


def session_id_from(cookie_header: str) -> str | None:
    """The session id in a `Cookie` header, if there is one."""
    return cookie_parser(cookie_header).get(COOKIE_NAME) or None


def set_session_cookie(response: Response, *, session_id: str, expires_at: datetime, secure: bool) -> None:
    """Hand the browser its session id, kept until the session expires."""
    max_age = max(0, int((expires_at - datetime.now(UTC)).total_seconds()))
    response.set_cookie(
        COOKIE_NAME,
        session_id,
        max_age=max_age,
        expires=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    """Make the browser forget its session id."""
    response.delete_cookie(COOKIE_NAME, path="/", secure=secure, httponly=True, samesite="strict")
