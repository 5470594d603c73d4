"""The frame of every page after login: navigation on the left, the user and logout at the top."""

from __future__ import annotations

import reflex as rx

from frontend.components.incident_toasts import incident_toasts
from frontend.state.auth import AuthState
from frontend.state.delivery import DeliveryBadgeState

NAVIGATION = [
    ("Overview", "/", "layout-dashboard"),
    ("Try it", "/try", "message-circle-plus"),
    ("Conversations", "/conversations", "messages-square"),
    ("Agent runs", "/runs", "bot"),
    ("Evals", "/evals", "flask-conical"),
    ("Metrics", "/metrics", "chart-line"),
    ("Incidents", "/incidents", "siren"),
    ("Dead letters", "/dead-letters", "inbox"),
    ("Replies to check", "/replies", "mail-warning"),
    ("Demo control", "/demo", "sliders-horizontal"),
]


def _uncertain_badge() -> rx.Component:
    """UNCERTAIN replies wait for a person: their count stands out in the navigation while there are any."""
    return rx.cond(
        DeliveryBadgeState.uncertain > 0,
        rx.badge(
            DeliveryBadgeState.uncertain,
            color_scheme="amber",
            variant="solid",
            size="1",
            id="uncertain-replies-badge",
            title="Replies whose delivery is UNCERTAIN",
        ),
    )


def _nav_link(label: str, route: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=16),
            rx.text(label, size="2"),
            *([_uncertain_badge()] if route == "/replies" else []),
            spacing="2",
            align="center",
        ),
        href=route,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding="0.45rem 0.75rem",
        border_radius="var(--radius-2)",
        _hover={"background": "var(--gray-4)"},
        width="100%",
    )


def _sidebar() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("radar", size=20, color="var(--accent-9)"),
            rx.heading("AgentOps", size="4"),
            align="center",
            padding="0.75rem",
        ),
        rx.vstack(*[_nav_link(*item) for item in NAVIGATION], spacing="1", width="100%"),
        width="14rem",
        min_height="100vh",
        padding="0.5rem",
        background="var(--gray-2)",
        border_right="1px solid var(--gray-5)",
        id="navigation",
    )


def _logout_form() -> rx.Component:
    """Log out of this browser (every tab): a form posted to /auth/logout, which clears the HTTP-only cookie.

    It names this tab, which is loading the login page already, so it is not sent there a second time."""
    return rx.el.form(
        rx.el.input(type="hidden", name="tab", value=AuthState.router.session.client_token),
        rx.button(
            rx.icon("log-out", size=14), "Log out", variant="soft", size="1", type="submit", id="logout"
        ),
        action="/auth/logout",
        method="post",
        on_submit=None,  # a native post: Reflex's form handler would stop it
    )


def _top_bar(title: str) -> rx.Component:
    return rx.hstack(
        rx.heading(title, size="6"),
        rx.spacer(),
        rx.badge(AuthState.role, variant="soft", id="user-role"),
        rx.text(AuthState.email, size="2", color_scheme="gray", id="user-email"),
        _logout_form(),
        align="center",
        width="100%",
        spacing="3",
    )


def _waiting_for_login() -> rx.Component:
    """Before the session is checked: a spinner. Once the session ended elsewhere (a logout in another tab, an
    expiry): the login page, loaded afresh so the tab's socket carries the browser's cookie as it is now."""
    return rx.cond(
        AuthState.signed_out,
        rx.center(
            rx.text(AuthState.notice, size="2"),
            height="100vh",
            id="session-ended",
            on_mount=rx.call_script("window.location.replace('/login')"),
        ),
        rx.center(rx.spinner(), height="100vh"),
    )


def page_frame(title: str, *content: rx.Component) -> rx.Component:
    """A page with navigation, its title and the logged-in user; shows nothing before login is checked."""
    return rx.cond(
        AuthState.logged_in,
        rx.hstack(
            _sidebar(),
            rx.vstack(
                _top_bar(title), *content, padding="1.5rem", spacing="5", width="100%", align="stretch"
            ),
            incident_toasts(),
            spacing="0",
            align="start",
            width="100%",
        ),
        _waiting_for_login(),
    )
