"""Calling the API from a page's State as the browser's logged-in user, the same way everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from frontend import api
from frontend.state.auth import AuthState


async def call_api(state: rx.State, document: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `data` of a request made with the browser session's token; raises api.ApiError (SessionEnded
    too)."""
    auth = await state.get_state(AuthState)
    return await api.execute(document, token=await auth.api_token(), variables=variables)


@dataclass(frozen=True)
class Refused:
    """A call that gave no data; `answer` is what the event handler returns (back to login, or nothing)."""

    answer: Any = None


async def call_or_report(
    state: rx.State, document: str, variables: dict[str, Any] | None = None, *, report: str = "error"
) -> dict[str, Any] | Refused:
    """call_api with the refusals every page handles alike: an ended session goes back to login, any other API
    error is shown in the State's `report` field (and the handler stops)."""
    try:
        return await call_api(state, document, variables)
    except api.SessionEnded:
        return Refused(await end_session(state))
    except api.ApiError as error:
        setattr(state, report, error.message)
        return Refused()


async def end_session(state: rx.State):
    """The session is over: the event handler returns this (back to login, with the reason)."""
    auth = await state.get_state(AuthState)
    return await auth.session_ended()


def session_token(state: rx.State) -> str:
    """This browser tab's identity, as the live feed knows it."""
    return state.router.session.client_token
