"""POST /auth/login and POST /auth/logout: the only places the session cookie is set or cleared.

The login page posts its form here with fetch, the logout button as a plain form; either way the tab then
loads its next page afresh, so its socket reconnects carrying the cookie as it now is. Both routes refuse a
form posted from another site (login CSRF, forced logout) by its Origin header.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from frontend.config import get_config
from frontend.sessions import service
from frontend.sessions.cookie import clear_session_cookie, session_id_from, set_session_cookie
from frontend.sessions.store import session_key

log = logging.getLogger(__name__)
LOGGED_OUT_HERE = "You logged out in another tab or window."
# The login page the logging-out tab lands on says so (the other tabs are told LOGGED_OUT_HERE).
LOGGED_OUT_QUERY = "logged_out=1"
LOGGED_OUT = "You have logged out."


def safe_next(path: str | None) -> str:
    """Where to go after login: a path of this dashboard, never another site ("//host", "/\\host") or
    /login."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")) or urlsplit(path).netloc:
        return "/"
    return "/" if urlsplit(path).path.rstrip("/") == "/login" else path


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin with every POST; a client without one (curl, a script) carries no user's cookie
        # by accident, which is what a forged form relies on.
        return request.headers.get("sec-fetch-site") in (None, "same-origin", "none")
    allowed = {request.headers.get("host", "")}
    if public_url := get_config().public_url:
        allowed.add(urlsplit(public_url).netloc)
    return urlsplit(origin).netloc in allowed


def _secure(request: Request) -> bool:
    # Behind a proxy that ends TLS the request may be plain HTTP while the page is HTTPS: the Origin says so.
    return request.url.scheme == "https" or request.headers.get("origin", "").startswith("https://")


def _refused() -> Response:
    return PlainTextResponse("Refused: this form was posted from another site.", status_code=403)


async def log_in(request: Request) -> Response:
    """Check the e-mail and password with the API; on success set the cookie and go on, else say why.

    The login page posts with `Accept: application/json` and stays put on a refusal ({"error": reason}, or
    {"next": path} to load); a plain form post is redirected instead (to the page, or back to the form).
    """
    if not _same_origin(request):
        return _refused()
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await request.form(max_files=0, max_fields=10)
    next_page = safe_next(str(form.get("next") or "/"))
    try:
        session_id, session = await service.log_in(
            email=str(form.get("email") or "").strip(), password=str(form.get("password") or "")
        )
    except service.LoginRefused as refused:
        if wants_json:
            return JSONResponse({"error": refused.reason})
        return RedirectResponse(f"/login?error={refused.reason}&next={quote(next_page)}", status_code=303)
    # One login per browser: the session it had ends (its other tabs load the login page, and take this one
    # up).
    if previous := session_id_from(request.headers.get("cookie", "")):
        try:
            await service.end_browser_session(key=session_key(previous))
        except (RedisError, OSError) as error:
            log.warning(
                "login could not end the browser's previous session (%s: %s)", type(error).__name__, error
            )
    response: Response = JSONResponse({"next": next_page}) if wants_json else RedirectResponse(next_page, 303)
    set_session_cookie(
        response, session_id=session_id, expires_at=session.expires_at, secure=_secure(request)
    )
    return response


async def log_out(request: Request) -> Response:
    """End this browser's session everywhere and forget the cookie; the form's own tab is on its way to
    /login."""
    if not _same_origin(request):
        return _refused()
    form = await request.form(max_files=0, max_fields=10)
    if session_id := session_id_from(request.headers.get("cookie", "")):
        try:
            await service.end_browser_session(
                key=session_key(session_id),
                notice=LOGGED_OUT_HERE,
                except_tab=str(form.get("tab") or "") or None,
            )
        except (RedisError, OSError) as error:
            # The browser forgets the cookie all the same; the stored session lapses at its expiry.
            log.warning("logout could not end the stored session (%s: %s)", type(error).__name__, error)
    response = RedirectResponse(f"/login?{LOGGED_OUT_QUERY}", status_code=303)
    clear_session_cookie(response, secure=_secure(request))
    return response


SESSION_ROUTES = [
    Route("/auth/login", log_in, methods=["POST"]),
    Route("/auth/logout", log_out, methods=["POST"]),
]
