"""Who is logged in, in this tab: the browser's session, taken up from its HTTP-only cookie.

The cookie (set by POST /auth/login, see frontend/sessions) reaches the state backend in the headers of the
tab's socket; each page load looks its session up in the store, so a new tab or a reload is logged in already.
The API token is read from the store for each call and never kept in the tab's state, nor sent to the browser.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from urllib.parse import quote

import reflex as rx
from redis.exceptions import RedisError

from frontend import api
from frontend.live.registry import live_feed
from frontend.sessions.cookie import session_id_from
from frontend.sessions.registry import browser_tabs, sessions
from frontend.sessions.service import end_browser_session
from frontend.sessions.store import session_key
from frontend.sessions.tabs import ENDED_ELSEWHERE, EXPIRED

OPERATING_ROLES = ("OPERATOR", "ADMIN")
STORE_UNAVAILABLE = "Sessions cannot be checked right now (Redis is unreachable); try again in a moment."


class AuthState(rx.State):
    """The logged-in user of this browser, as this tab knows it."""

    # Backend-only (leading underscore): the store's key of the session (a hash, not the cookie) and its end.
    _session_key: str = ""
    _expires_at: str = ""
    email: str = ""
    role: str = ""
    notice: str = ""
    # The session ended while this tab showed a page: the page frame then loads the login page.
    signed_out: bool = False

    @rx.var
    def logged_in(self) -> bool:
        return bool(self.email)

    @rx.var
    def can_operate(self) -> bool:
        """Whether this user's role may act (the API refuses the rest anyway)."""
        return self.role in OPERATING_ROLES

    @property
    def has_session(self) -> bool:
        return bool(self._session_key)

    async def resume(self) -> bool:
        """Take up this browser's session from the cookie its socket carried; False (forgetting any other)
        without a live one. Raises RedisError when the store cannot be asked."""
        session_id = session_id_from(self.router.headers.cookie)
        key = session_key(session_id) if session_id else ""
        found = await sessions.find(key) if key else None
        if found is None:
            # A tab that had a session says why it is gone; one that never had one keeps what it was told.
            self.forget(notice=self._ending_notice() if self._session_key else self.notice)
            return False
        browser_tabs.add(key, self.router.session.client_token, expires_at=found.expires_at)
        self._session_key, self._expires_at = key, found.expires_at.isoformat()
        self.email, self.role, self.notice, self.signed_out = found.email, found.role, "", False
        return True

    @rx.event
    async def require_login(self):
        """Send a visitor without a session to the login page (back here after it); join the incident
        alerts."""
        try:
            resumed = await self.resume()
        except (RedisError, OSError):
            self.forget(notice=STORE_UNAVAILABLE)
            resumed = False
        if not resumed:
            path = self.router.url.path
            return rx.redirect(f"/login?next={quote(path)}" if path.strip("/") else "/login")
        # Every page shows a toast when an incident opens.
        live_feed.watch(self.router.session.client_token, "incident")
        return None

    async def api_token(self) -> str:
        """The API token of this browser's session, read now; SessionEnded when the session is over."""
        try:
            found = await sessions.find(self._session_key) if self._session_key else None
        except (RedisError, OSError):
            raise api.ApiError(STORE_UNAVAILABLE, code="UNAVAILABLE") from None
        if found is None:
            raise api.SessionEnded("Your session has ended; please log in again.", code="UNAUTHENTICATED")
        return found.token

    def forget(self, *, notice: str = "", tab: str | None = None) -> None:
        """Forget the session in this tab (not in the store) and stop its live updates."""
        tab = tab or self.router.session.client_token
        if tab:
            live_feed.forget(tab)
            browser_tabs.remove(tab)
        self._session_key = self._expires_at = self.email = self.role = ""
        self.notice = notice

    def ended_elsewhere(self, *, tab: str, notice: str) -> None:
        """Pushed when the session ended outside this tab: the page frame sends the tab to login."""
        self.forget(notice=notice, tab=tab)
        self.signed_out = True

    async def session_ended(self):
        """The API refused the session's token (expired or revoked): end it for every tab of the browser."""
        key = self._session_key
        notice = self._ending_notice() if key else ""
        self.forget(notice=notice)
        # The redirect answers an event; a page re-reading for the live feed has nobody to answer, so the page
        # frame loads the login page instead.
        self.signed_out = bool(key)
        if key:
            # If Redis is out of reach, this tab forgot it anyway; the stored session lapses at its expiry.
            with contextlib.suppress(RedisError, OSError):
                await end_browser_session(key=key, notice=notice, except_tab=self.router.session.client_token)
        return rx.redirect("/login")

    def _ending_notice(self) -> str:
        expired = bool(self._expires_at) and datetime.fromisoformat(self._expires_at) <= datetime.now(UTC)
        return EXPIRED if expired else ENDED_ELSEWHERE
