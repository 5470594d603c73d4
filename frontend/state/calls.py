"""Calling the API from a page's State with the tab's user, the same way everywhere."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend import api
from frontend.state.auth import AuthState


async def call_api(state: rx.State, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `data` of a request made with the logged-in user's token; raises api.ApiError (SessionEnded too)."""
    auth = await state.get_state(AuthState)
    return await api.execute(document, token=auth._token, variables=variables)


async def end_session(state: rx.State):
    """The API no longer takes the token: the event handler returns this (back to login, with the reason)."""
    auth = await state.get_state(AuthState)
    return auth.session_ended()


def session_token(state: rx.State) -> str:
    """This browser tab's identity, as the live feed knows it."""
    return state.router.session.client_token
