"""Who is logged in: the session token lives only in the dashboard process, never in the browser."""

from __future__ import annotations

import reflex as rx

from frontend import api
from frontend.live.registry import live_feed

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) {
    __typename
    ... on LoginPayload { token expiresAt user { email role } }
    ... on InvalidCredentials { message }
    ... on TooManyLoginAttempts { message }
  }
}
"""
LOGOUT = "mutation { logout { __typename } }"

OPERATING_ROLES = ("OPERATOR", "ADMIN")


class AuthState(rx.State):
    """The logged-in user of this browser tab."""

    # Backend-only (leading underscore): sent as the API key with every request, never to the browser.
    _token: str = ""
    email: str = ""
    role: str = ""
    notice: str = ""

    @rx.var
    def logged_in(self) -> bool:
        return bool(self.email)

    @rx.var
    def can_operate(self) -> bool:
        """Whether this user's role may act (the API refuses the rest anyway)."""
        return self.role in OPERATING_ROLES

    @rx.event
    def require_login(self):
        """Send a visitor who is not logged in to the login page; join the incident alerts otherwise."""
        if not self._token:
            return rx.redirect("/login")
        # Every page shows a toast when an incident opens.
        live_feed.watch(self.router.session.client_token, "incident")
        return None

    def start_session(self, *, token: str, email: str, role: str) -> None:
        """Remember a successful login."""
        self._token, self.email, self.role, self.notice = token, email, role, ""

    def end_session(self, *, notice: str = "") -> None:
        """Forget the user and stop this tab's live updates."""
        live_feed.forget(self.router.session.client_token)
        self._token, self.email, self.role, self.notice = "", "", "", notice

    def session_ended(self):
        """The API no longer accepts the token: back to the login page with the reason."""
        self.end_session(notice="Your session has ended; please log in again.")
        return rx.redirect("/login")

    @rx.event
    async def logout(self):
        """End the session on the API too, so the token is useless even if it leaked."""
        if self._token:
            try:
                await api.execute(LOGOUT, token=self._token)
            except api.ApiError:
                pass  # already ended or the API is away: the token is forgotten here either way
        self.end_session()
        return rx.redirect("/login")
