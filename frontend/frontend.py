"""The dashboard app: pages, the live feed's and the browser sessions' life cycles, and the login, logout and
health endpoints on the same port."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Collection

import httpx
import reflex as rx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from frontend import api
from frontend.components.incident_toasts import IncidentToastState
from frontend.config import get_config
from frontend.live.delivery import LiveDelivery
from frontend.live.documents import EVAL_PROGRESS
from frontend.live.registry import live_feed
from frontend.logs import configure_dashboard_logging
from frontend.pages.conversation_detail import conversation_detail_page
from frontend.pages.conversation_detail_state import ConversationDetailState
from frontend.pages.conversations import conversations_page
from frontend.pages.conversations_state import ConversationsState
from frontend.pages.dead_letters import DeadLettersState, dead_letters_page
from frontend.pages.demo import DemoState, demo_page
from frontend.pages.eval_run import EvalRunState, eval_run_page
from frontend.pages.evals import evals_page
from frontend.pages.evals_state import EvalsState
from frontend.pages.incident import incident_page
from frontend.pages.incidents import incidents_page
from frontend.pages.incidents_state import IncidentsState
from frontend.pages.login import LoginState, login_page
from frontend.pages.metrics import MetricsState, metrics_page
from frontend.pages.overview import overview_page
from frontend.pages.overview_state import OverviewState
from frontend.pages.playground import playground_page
from frontend.pages.replies import RepliesState, replies_page
from frontend.pages.run_detail import run_detail_page
from frontend.pages.run_detail_state import RunDetailState
from frontend.pages.runs import runs_page
from frontend.pages.runs_state import RunsState
from frontend.pages.try_it import try_it_page
from frontend.pages.try_it_state import TryItState
from frontend.sessions.registry import browser_tabs
from frontend.sessions.registry import redis as session_redis
from frontend.sessions.routes import SESSION_ROUTES
from frontend.state.auth import AuthState
from frontend.state.delivery import DeliveryBadgeState
from frontend.state.live_page import LivePageState


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
    return JSONResponse(
        {"status": "ready" if ready else "api unavailable"}, status_code=200 if ready else 503
    )


async def _live_status(_: Request) -> JSONResponse:
    return JSONResponse(live_feed.status())


routes = Starlette(
    routes=[
        Route("/healthz", _healthz),
        Route("/readyz", _readyz),
        Route("/live-feed", _live_status),
        *SESSION_ROUTES,
    ]
)

configure_dashboard_logging()
app = rx.App(api_transformer=routes)


# Kind of live update (before any ":") -> the States that take it, each through apply_update(kind, payload)
# (True from it: the page reads again from the API, in its refresh(); see frontend/live/delivery.py).
LIVE_RECEIVERS: dict[str, tuple[type[rx.State], ...]] = {
    "conversation": (
        OverviewState,
        ConversationsState,
        ConversationDetailState,
        DeadLettersState,
        TryItState,
    ),
    "metrics": (OverviewState, MetricsState, DeadLettersState),
    "incident": (IncidentToastState, IncidentsState, MetricsState),
    "simulation": (DemoState,),
    "scored": (RunDetailState, ConversationDetailState),
    EVAL_PROGRESS: (EvalsState, EvalRunState),
}
# Receivers that are one page's State take an update only in a tab showing that page (the page its load gave
# live_feed.watch); the others (the incident toasts, incident lists, eval runs' progress) wherever the tab is.
PAGE_RECEIVERS: frozenset[type[rx.State]] = frozenset(
    {
        OverviewState,
        ConversationsState,
        ConversationDetailState,
        RunDetailState,
        DeadLettersState,
        MetricsState,
        DemoState,
        EvalRunState,
        TryItState,
    }
)


def _connected_tabs() -> Collection[str]:
    """The client tokens of the tabs with an open socket to this process.

    `event_namespace.token_to_sid` is what Reflex's documentation (Background Tasks, "Terminating Background
    Tasks on Page Close or Navigation") tells a task to check; Reflex offers no public hook called when a tab
    closes.
    """
    namespace = app.event_namespace
    return namespace.token_to_sid.keys() if namespace is not None else ()


delivery = LiveDelivery(
    app=app,
    receivers=LIVE_RECEIVERS,
    page_receivers=PAGE_RECEIVERS,
    page_of=live_feed.page_of,
    connected=_connected_tabs,
)


@contextlib.asynccontextmanager
async def _run_live_feed(app: rx.App):
    live_feed.attach(delivery.deliver, connected=_connected_tabs)
    try:
        yield
    finally:
        await live_feed.close()
        await delivery.close()
        await api.close_http()


app.register_lifespan_task(_run_live_feed)


async def _send_to_login(tabs: frozenset[str], notice: str) -> None:
    """The browser session of these tabs ended elsewhere: each tab's page frame now loads the login page."""

    async def one(tab: str) -> None:
        async with app.modify_state(rx.BaseStateToken(ident=tab, cls=AuthState)) as state:
            auth = state if isinstance(state, AuthState) else await state.get_state(AuthState)
            auth.ended_elsewhere(tab=tab, notice=notice)

    await asyncio.gather(*(one(tab) for tab in tabs if tab in _connected_tabs()))


@contextlib.asynccontextmanager
async def _run_session_checks(app: rx.App):
    browser_tabs.attach(_send_to_login, connected=_connected_tabs)
    checks = asyncio.create_task(browser_tabs.check_forever(), name="dashboard-sessions:checks")
    try:
        yield
    finally:
        checks.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checks
        await browser_tabs.close()
        await session_redis.aclose()


app.register_lifespan_task(_run_session_checks)

app.add_page(login_page, route="/login", title="Log in · AgentOps Studio", on_load=LoginState.load)
app.add_page(
    overview_page,
    route="/",
    title="Overview · AgentOps Studio",
    on_load=[AuthState.require_login, OverviewState.load, DeliveryBadgeState.load],
)


def _page_after_login(page, route: str, title: str, *loads) -> None:
    """A page after login: the incident toasts follow the tab; the updates of the page it showed before stop
    (LivePageState.leave), and a page with live data of its own asks for it again in its load."""
    app.add_page(
        page,
        route=route,
        title=f"{title} · AgentOps Studio",
        on_load=[AuthState.require_login, LivePageState.leave, DeliveryBadgeState.load, *loads],
    )


_page_after_login(try_it_page, "/try", "Try it", TryItState.load)
_page_after_login(conversations_page, "/conversations", "Conversations", ConversationsState.load)
_page_after_login(
    conversation_detail_page, "/conversations/[conversation_id]", "Conversation", ConversationDetailState.load
)
_page_after_login(runs_page, "/runs", "Agent runs", RunsState.load)
_page_after_login(playground_page, "/runs/playground", "Playground")
_page_after_login(run_detail_page, "/runs/[run_id]", "Agent run", RunDetailState.load)
_page_after_login(evals_page, "/evals", "Evals", EvalsState.load)
_page_after_login(eval_run_page, "/evals/run/[run_id]", "Eval run", EvalRunState.load)
_page_after_login(metrics_page, "/metrics", "Metrics", MetricsState.load)
_page_after_login(incidents_page, "/incidents", "Incidents", IncidentsState.load_list)
_page_after_login(incident_page, "/incidents/[incident_id]", "Incident", IncidentsState.load_detail)
_page_after_login(dead_letters_page, "/dead-letters", "Dead letters", DeadLettersState.load)
_page_after_login(replies_page, "/replies", "Replies to check", RepliesState.load)
_page_after_login(demo_page, "/demo", "Demo control", DemoState.load)
