"""Browser sessions in Redis without a browser: what is stored, under which key, for how long, and the
ending."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis

from frontend.sessions.routes import safe_next
from frontend.sessions.store import SessionStore, session_key
from frontend.sessions.tabs import ENDED_ELSEWHERE, EXPIRED, BrowserTabs


@pytest.fixture
async def redis(test_settings):
    client = aioredis.Redis.from_url(str(test_settings.redis_url))
    yield client
    await client.aclose()


async def test_a_session_is_stored_under_a_hash_of_its_id_and_lapses_with_its_token(redis):
    store = SessionStore(redis)
    expires_at = datetime.now(UTC) + timedelta(seconds=2)
    session_id = await store.create(
        token="ak_secret", email="ana@example.com", role="OPERATOR", expires_at=expires_at
    )

    key = session_key(session_id)
    assert session_id not in key and await redis.exists(key)
    assert json.loads(await redis.get(key))["token"] == "ak_secret"
    assert (found := await store.find(key)) is not None and found.email == "ana@example.com"
    assert 0 < await redis.pttl(key) <= 2000  # Redis forgets it when the API token expires

    await asyncio.sleep(2.1)
    assert await store.find(key) is None and not await redis.exists(key)


async def test_ending_a_session_hands_its_token_back_once(redis):
    store = SessionStore(redis)
    key = session_key(
        await store.create(
            token="ak_once",
            email="bo@example.com",
            role="VIEWER",
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
    )
    other = session_key(
        await store.create(
            token="ak_other",
            email="cy@example.com",
            role="VIEWER",
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
    )
    ended = await asyncio.gather(store.end(key), store.end(key))  # two logouts at once: one revokes
    assert sorted(session is not None for session in ended) == [False, True]
    assert await store.still_open([key, other, session_key("never-made")]) == {other}
    with pytest.raises(ValueError):
        await store.create(
            token="ak_late", email="dee@example.com", role="VIEWER", expires_at=datetime.now(UTC)
        )


async def test_the_tabs_of_an_ended_or_expired_session_are_sent_to_login_and_closed_tabs_are_dropped(redis):
    store = SessionStore(redis)
    tabs = BrowserTabs(store=store)
    sent: list[tuple[frozenset[str], str]] = []
    open_tabs = {"tab-a", "tab-b", "tab-c"}

    async def send_to_login(ended: frozenset[str], notice: str) -> None:
        sent.append((ended, notice))

    tabs.attach(send_to_login, connected=lambda: open_tabs)
    soon = datetime.now(UTC) + timedelta(seconds=1)
    short = session_key(
        await store.create(token="ak_short", email="ed@example.com", role="VIEWER", expires_at=soon)
    )
    long = session_key(
        await store.create(
            token="ak_long",
            email="fay@example.com",
            role="VIEWER",
            expires_at=datetime.now(UTC) + timedelta(minutes=5),
        )
    )
    tabs.add(short, "tab-a", expires_at=soon)
    tabs.add(long, "tab-b", expires_at=datetime.now(UTC) + timedelta(minutes=5))
    tabs.add(long, "tab-c", expires_at=datetime.now(UTC) + timedelta(minutes=5))

    open_tabs.discard("tab-c")  # closed: it is dropped, not sent anywhere
    await tabs.check()
    assert sent == [] and tabs.sessions() == 2

    await asyncio.sleep(1.1)  # the short session expires in Redis
    await tabs.check()
    await asyncio.sleep(0)
    assert sent == [(frozenset({"tab-a"}), EXPIRED)]

    await store.end(long)  # logged out on another dashboard process
    await tabs.check()
    await asyncio.sleep(0)
    assert sent[1] == (frozenset({"tab-b"}), ENDED_ELSEWHERE) and tabs.sessions() == 0


@pytest.mark.parametrize(
    ("asked", "goes_to"),
    [
        ("/incidents/abc", "/incidents/abc"),
        ("/", "/"),
        (None, "/"),
        ("https://attacker.example/", "/"),
        ("//attacker.example/x", "/"),
        ("/\\attacker.example", "/"),
        ("/login", "/"),
        ("/login?next=/x", "/"),
    ],
)
def test_after_login_the_browser_goes_only_to_a_page_of_the_dashboard(asked, goes_to):
    assert safe_next(asked) == goes_to
