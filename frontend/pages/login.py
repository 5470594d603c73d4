"""Log in with e-mail and password: the form is posted to /auth/login, which sets the browser's session
cookie."""

from __future__ import annotations

import reflex as rx
from redis.exceptions import RedisError

from frontend.sessions.routes import LOGGED_OUT, safe_next
from frontend.sessions.service import LOGIN_MESSAGES
from frontend.state.auth import STORE_UNAVAILABLE, AuthState

# Only an HTTP response can set an HTTP-only cookie, so the form goes to /auth/login over fetch rather than as
# a Reflex event. A refusal comes back as a reason for `LoginState.refused`; a login loads the next page
# afresh, and its promise never settles. Settling it would queue `refused` just as the navigation closes the
# page's socket; when the form was sent before that socket first connected, Reflex's event loop (0.10) drains
# its queue in a `while` that then spins forever on the undeliverable event, and the navigation never commits.
SUBMIT_LOGIN = """
(async () => {
  try {
    const answer = await fetch('/auth/login', {method: 'POST', headers: {'Accept': 'application/json'},
                                               body: new FormData(document.getElementById('login-form'))});
    const result = await answer.json();
    if (result.next) { window.location.replace(result.next); return new Promise(() => {}); }
    return result.error || 'unavailable';
  } catch (error) {
    return 'unavailable';
  }
})()
"""


class LoginState(rx.State):
    error: str = ""
    busy: bool = False
    next_page: str = "/"

    @rx.event
    async def load(self):
        """Say why the last attempt was refused; a browser logged in already goes on at once."""
        query = self.router.url.query_parameters
        self.busy = False
        self.error = LOGIN_MESSAGES.get(query.get("error", ""), "")
        self.next_page = safe_next(query.get("next"))
        auth = await self.get_state(AuthState)
        if query.get("logged_out"):
            auth.forget(notice=LOGGED_OUT)
        try:
            if await auth.resume():
                return rx.redirect(self.next_page)
        except (RedisError, OSError):
            self.error = STORE_UNAVAILABLE
        return None

    @rx.event
    def submitting(self):
        self.busy, self.error = True, ""

    @rx.event
    def refused(self, reason: str | None):
        """/auth/login said no (a login loads the next page instead and never gets here)."""
        if reason:
            self.busy, self.error = False, LOGIN_MESSAGES.get(reason, LOGIN_MESSAGES["invalid"])


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("AgentOps Studio", size="6"),
                rx.text("Log in to watch and operate your agents.", color_scheme="gray"),
                rx.cond(
                    AuthState.notice != "",
                    rx.callout(AuthState.notice, icon="info", width="100%", id="login-notice"),
                ),
                rx.el.form(
                    rx.vstack(
                        rx.input(
                            name="email",
                            placeholder="you@example.com",
                            type="email",
                            width="100%",
                            id="login-email",
                            auto_complete="username",
                        ),
                        rx.input(
                            name="password",
                            placeholder="Password",
                            type="password",
                            width="100%",
                            id="login-password",
                            auto_complete="current-password",
                        ),
                        rx.el.input(type="hidden", name="next", value=LoginState.next_page),
                        rx.cond(
                            LoginState.error != "",
                            rx.callout(
                                LoginState.error,
                                icon="triangle_alert",
                                color_scheme="red",
                                width="100%",
                                id="login-error",
                            ),
                        ),
                        rx.button(
                            "Log in", type="submit", width="100%", loading=LoginState.busy, id="login-submit"
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    id="login-form",
                    on_submit=[
                        LoginState.submitting,
                        rx.call_script(SUBMIT_LOGIN, callback=LoginState.refused),
                    ],
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            width="22rem",
            size="3",
        ),
        height="100vh",
        background="var(--gray-2)",
    )
