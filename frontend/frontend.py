"""The dashboard app: pages, the live feed's life cycle, and health endpoints on the same port."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

import httpx
import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from frontend import api
from frontend.config import get_config
from frontend.live.registry import live_feed
from frontend.pages.coming import SECTIONS, section_page
from frontend.pages.conversation_detail import conversation_detail_page
from frontend.pages.conversation_detail_state import ConversationDetailState
from frontend.pages.conversations import conversations_page
from frontend.pages.conversations_state import ConversationsState
from frontend.pages.login import login_page
from frontend.pages.overview import overview_page
from frontend.pages.overview_state import OverviewState
from frontend.pages.playground import playground_page
from frontend.pages.run_detail import run_detail_page
from frontend.pages.run_detail_state import RunDetailState
from frontend.pages.runs import runs_page
from frontend.pages.runs_state import RunsState
from frontend.state.auth import AuthState


async def _healthz(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def _readyz(_: Request) -> JSONResponse:
    # The dashboard holds no data of its own: it is ready when the API it speaks to is.
    api_base = get_config().api_url.rsplit("/graphql", 1)[0]
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            ready = (await http.get(f"{api_base}/readyz")).status_code == 200
    except httpx.HTTPError:
        ready = False
    return JSONResponse({"status": "ready" if ready else "api unavailable"}, status_code=200 if ready else 503)


async def _live_status(_: Request) -> JSONResponse:
    return JSONResponse(live_feed.status())


health = Starlette(routes=[
    Route("/healthz", _healthz), Route("/readyz", _readyz), Route("/live-feed", _live_status),
])

app = rx.App(api_transformer=health)


async def _deliver(sessions: frozenset[str], kind: str, payload: dict[str, Any]) -> set[str]:
    """Apply one live update to the page each watching session shows; answer the sessions that are gone."""
    # Reflex keeps which tab tokens have a live socket; its own shared-state fan-out asks it the same way.
    tokens = app.event_namespace._token_manager
    gone: set[str] = set()

    async def one(session: str) -> None:
        if not await tokens.is_token_connected(session):
            gone.add(session)
            return
        page_state = live_feed.page_of(session) or OverviewState
        async with app.modify_state(BaseStateToken(ident=session, cls=page_state)) as state:
            page = state if isinstance(state, page_state) else await state.get_state(page_state)
            applied = page.apply_update(kind, payload)
            if inspect.isawaitable(applied):  # pages that re-read from the API on a change
                await applied

    await asyncio.gather(*(one(session) for session in sessions))
    return gone


@contextlib.asynccontextmanager
async def _run_live_feed(app: rx.App):
    live_feed.attach(_deliver)
    namespace = app.event_namespace
    original_on_disconnect = namespace.on_disconnect

    def on_disconnect(sid: str):
        # A closed tab stops being fed at once; when it was the last watcher the feed closes.
        if (session := namespace.sid_to_token.get(sid)) is not None:
            live_feed.forget(session)
        return original_on_disconnect(sid)

    namespace.on_disconnect = on_disconnect  # socket.io looks handlers up on the instance
    try:
        yield
    finally:
        await live_feed.close()
        await api.close_http()


app.register_lifespan_task(_run_live_feed)

app.add_page(login_page, route="/login", title="Log in · AgentOps Studio")
app.add_page(overview_page, route="/", title="Overview · AgentOps Studio",
             on_load=[AuthState.require_login, OverviewState.load])
app.add_page(conversations_page, route="/conversations", title="Conversations · AgentOps Studio",
             on_load=[AuthState.require_login, ConversationsState.load])
app.add_page(conversation_detail_page, route="/conversations/[conversation_id]",
             title="Conversation · AgentOps Studio", on_load=[AuthState.require_login, ConversationDetailState.load])
# Pages without live data: this tab stops being fed (OverviewState.leave) while it shows them.
app.add_page(runs_page, route="/runs", title="Agent runs · AgentOps Studio",
             on_load=[AuthState.require_login, OverviewState.leave, RunsState.load])
app.add_page(playground_page, route="/runs/playground", title="Playground · AgentOps Studio",
             on_load=[AuthState.require_login, OverviewState.leave])
app.add_page(run_detail_page, route="/runs/[run_id]", title="Agent run · AgentOps Studio",
             on_load=[AuthState.require_login, OverviewState.leave, RunDetailState.load])
for _route, (_title, _) in SECTIONS.items():
    app.add_page(section_page(_route), route=_route, title=f"{_title} · AgentOps Studio",
                 on_load=[AuthState.require_login, OverviewState.leave])
