"""Identical subscriptions share one execution per API process; different ones (or different rights) do
not."""

import asyncio

import httpx

from backend.core.scopes import Scope
from tests.helpers import next_data, subscribe, wait_until

UPDATES = "subscription { conversationUpdated { customer } }"
LIVE = "subscription { liveMetrics { at turns } }"


async def _live(http: httpx.AsyncClient) -> dict:
    return (await http.get("/healthz")).json()["live"]


async def test_identical_subscriptions_share_an_execution_and_a_late_joiner_gets_the_current_state(
    live_api, make_key
):
    reader = await make_key(Scope.READ)
    admin = await make_key(Scope.ADMIN)
    async with httpx.AsyncClient(base_url=live_api) as http:
        same = [await subscribe(live_api, reader, UPDATES) for _ in range(3)]
        other_rights = await subscribe(live_api, admin, UPDATES)  # another scope set: never shares a result
        await wait_until(
            lambda: _counts(http, members=4, executions=2), timeout=10, message="4 members, 2 executions"
        )

        first = await subscribe(live_api, reader, LIVE)
        current = (await next_data(first))["liveMetrics"]
        late = await subscribe(live_api, reader, LIVE)  # joins the running execution
        replayed = (await asyncio.wait_for(next_data(late), timeout=2))["liveMetrics"]  # not a 1 s tick later
        assert replayed["at"] >= current["at"]
        await wait_until(
            lambda: _counts(http, members=6, executions=3), timeout=10, message="6 members, 3 executions"
        )

        for socket in [*same, other_rights, first, late]:
            await socket.close()
        await wait_until(
            lambda: _counts(http, members=0, executions=0), timeout=10, message="nothing left running"
        )


async def _counts(http: httpx.AsyncClient, *, members: int, executions: int) -> bool:
    live = await _live(http)
    return live["sharedSubscriptionMembers"] == members and live["sharedSubscriptionExecutions"] == executions
