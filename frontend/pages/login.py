"""Log in with e-mail and password (the API's `login` mutation)."""

from __future__ import annotations

import reflex as rx

from frontend import api
from frontend.state.auth import LOGIN, AuthState


class LoginState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict[str, str]):
        """Ask the API for a session; on success go to Overview, else say why."""
        email, password = form.get("email", "").strip(), form.get("password", "")
        if not email or not password:
            self.error = "Enter your e-mail and password."
            return
        self.busy = True
        self.error = ""
        yield
        try:
            data = await api.execute(LOGIN, token=None, variables={"input": {"email": email, "password": password}})
        except api.ApiError as error:
            self.busy, self.error = False, error.message
            return
        result = data["login"]
        self.busy = False
        if result["__typename"] != "LoginPayload":
            self.error = result["message"]
            return
        auth = await self.get_state(AuthState)
        auth.start_session(token=result["token"], email=result["user"]["email"], role=result["user"]["role"])
        yield rx.redirect("/")


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("AgentOps Studio", size="6"),
                rx.text("Log in to watch and operate your agents.", color_scheme="gray"),
                rx.cond(AuthState.notice != "", rx.callout(AuthState.notice, icon="info", width="100%")),
                rx.form(
                    rx.vstack(
                        rx.input(name="email", placeholder="you@example.com", type="email", width="100%",
                                 id="login-email", auto_complete="username"),
                        rx.input(name="password", placeholder="Password", type="password", width="100%",
                                 id="login-password", auto_complete="current-password"),
                        rx.cond(
                            LoginState.error != "",
                            rx.callout(LoginState.error, icon="triangle_alert", color_scheme="red", width="100%",
                                       id="login-error"),
                        ),
                        rx.button("Log in", type="submit", width="100%", loading=LoginState.busy, id="login-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=LoginState.submit,
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
