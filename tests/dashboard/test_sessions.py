"""One login per browser: the session cookie, a second tab, a reload, and a logout that ends every tab.

The session's entry is read from the dashboard's Redis (the test index) only to check what the server keeps:
the browser's cookie opens it, and the API token inside is what a logout revokes.
"""

from __future__ import annotations

import asyncio
import json
import re
import time

import httpx
import pytest
import redis

from frontend.sessions.cookie import COOKIE_NAME
from frontend.sessions.store import session_key
from tests.dashboard.api_calls import call
from tests.dashboard.conftest import log_in, wait_for_login_page

WHO_AM_I = "{ currentMetrics { turns } }"  # any read: answers 200 with a live token, 401 without


@pytest.fixture(scope="module")
def session_redis(test_settings):
    client = redis.Redis.from_url(str(test_settings.redis_url))
    yield client
    client.close()


async def _session_cookie(context) -> dict | None:
    return next((cookie for cookie in await context.cookies() if cookie["name"] == COOKIE_NAME), None)


def _stored_token(session_redis, cookie: dict) -> str | None:
    raw = session_redis.get(session_key(cookie["value"]))
    return json.loads(raw)["token"] if raw else None


async def test_the_session_cookie_is_http_only_same_site_and_holds_no_api_token(
    dashboard, dashboard_users, browser_context, session_redis
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])

    cookie = await _session_cookie(browser_context)
    assert cookie is not None
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    # It lasts as long as the session: AGENTOPS_SESSION_HOURS (12 by default) from now.
    assert abs(cookie["expires"] - (time.time() + 12 * 3600)) < 120
    assert cookie["value"] not in await page.evaluate("document.cookie")  # no script on the page can read it

    # The cookie is only a key: the API token stays with the server, and the cookie is no API key.
    token = _stored_token(session_redis, cookie)
    assert token and token != cookie["value"]
    assert call(dashboard, token, WHO_AM_I).status_code == 200
    assert call(dashboard, cookie["value"], WHO_AM_I).status_code == 401


async def test_a_second_tab_is_logged_in_already_and_a_logout_ends_both(
    dashboard, dashboard_users, browser_context, session_redis
):
    operator = dashboard_users["operator"]
    first = await browser_context.new_page()
    await log_in(first, dashboard, operator)
    second = await browser_context.new_page()
    await second.goto(f"{dashboard.url}/metrics")
    assert await second.locator("#user-email").inner_text() == operator.email  # no login asked
    await second.reload()
    await second.locator("#metric-charts").wait_for()
    assert await second.locator("#user-email").inner_text() == operator.email
    token = _stored_token(session_redis, await _session_cookie(browser_context))

    await first.click("#logout")
    await wait_for_login_page(first)
    assert "You have logged out" in await first.locator("#login-notice").inner_text()
    # The other tab goes to the login page by itself, and says why.
    await wait_for_login_page(second, timeout=10_000)
    assert "logged out in another tab" in await second.locator("#login-notice").inner_text()

    assert await _session_cookie(browser_context) is None
    assert call(dashboard, token, WHO_AM_I).status_code == 401  # the API token is revoked, not just forgotten
    await second.goto(f"{dashboard.url}/metrics")
    await wait_for_login_page(second)


async def test_a_login_in_another_tab_replaces_the_browsers_session_in_every_tab(
    dashboard, dashboard_users, browser_context, session_redis
):
    stale = await browser_context.new_page()
    await stale.goto(f"{dashboard.url}/login")  # opened before the browser logged in
    await stale.locator("#login-form").wait_for()
    first = await browser_context.new_page()
    await log_in(first, dashboard, dashboard_users["viewer"])
    old_token = _stored_token(session_redis, await _session_cookie(browser_context))
    second = await browser_context.new_page()
    await second.goto(f"{dashboard.url}/incidents")
    await second.wait_for_selector("#user-email")

    admin = dashboard_users["admin"]
    await stale.fill("#login-email", admin.email)
    await stale.fill("#login-password", admin.password)
    await stale.click("#login-submit")
    await stale.wait_for_selector("#user-email")

    assert (
        call(dashboard, old_token, WHO_AM_I).status_code == 401
    )  # one session per browser: the old one ended
    # Its tabs load the login page, which finds the browser's new session and moves on.
    for page in (first, second):
        await page.wait_for_function(
            f"document.querySelector('#user-email')?.innerText === {json.dumps(admin.email)}", timeout=15_000
        )


def test_login_and_logout_refuse_forms_posted_from_another_site(dashboard, dashboard_users, session_redis):
    viewer = dashboard_users["viewer"]
    form = {"email": viewer.email, "password": viewer.password}
    with httpx.Client(base_url=dashboard.url, timeout=10) as http:
        forged = http.post("/auth/login", data=form, headers={"Origin": "http://attacker.example"})
        assert forged.status_code == 403 and "set-cookie" not in forged.headers

        # The same form from the dashboard's own page (a plain post, without JavaScript) logs in.
        own = http.post("/auth/login", data=form, headers={"Origin": dashboard.url})
        assert own.status_code == 303 and own.headers["location"] == "/"
        set_cookie = own.headers["set-cookie"]
        assert set_cookie.startswith(f"{COOKIE_NAME}=")
        assert "HttpOnly" in set_cookie and "SameSite=strict" in set_cookie and "Path=/" in set_cookie
        session_id = own.cookies[COOKIE_NAME]

        # The client keeps the cookie, as a browser would send it along with a forged form.
        forced = http.post("/auth/logout", headers={"Origin": "http://attacker.example"})
        assert forced.status_code == 403
        refused = http.post(
            "/auth/login", data={**form, "password": "wrong-password"}, headers={"Origin": dashboard.url}
        )
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login?error=invalid")

        assert session_redis.exists(
            session_key(session_id)
        )  # neither the forged logout nor the refusal ended it
        out = http.post("/auth/logout", headers={"Origin": dashboard.url})
        assert out.status_code == 303 and not session_redis.exists(session_key(session_id))
        assert f"{COOKIE_NAME}=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]


async def test_a_login_sent_before_the_page_is_connected_still_opens_overview(
    dashboard, dashboard_users, browser_context
):
    """On a busy machine a user can send the form before the login page's live connection is up. The tab must
    still load Overview: it used to freeze there, its script spinning with the navigation never committed."""
    sent = asyncio.Event()

    async def connect_once_the_form_is_sent(socket) -> None:
        await sent.wait()
        socket.connect_to_server()

    await browser_context.route_web_socket(re.compile(r"/_event"), connect_once_the_form_is_sent)
    viewer = dashboard_users["viewer"]
    page = await browser_context.new_page()
    await page.goto(f"{dashboard.url}/login")
    await page.fill("#login-email", viewer.email)
    await page.fill("#login-password", viewer.password)
    await page.click("#login-submit")
    sent.set()

    await page.wait_for_selector("#user-email")
    assert await page.locator("#user-email").inner_text() == viewer.email
