"""What the browser tests do besides clicking: call the API as a user, send customer events, pick options."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import httpx

LOGIN = """
mutation Login($input: LoginInput!) {
  login(input: $input) { __typename ... on LoginPayload { token } }
}
"""
INGEST_EVENT = """
mutation Ingest($input: IngestEventInput!) {
  ingestEvent(input: $input) { __typename ... on EventAccepted { eventId } }
}
"""
CONVERSATIONS_WITH_TEXT = """
query Find($text: String!) {
  conversations(first: 100, filter: {text: $text}) { edges { node { id customer messageCount } } }
}
"""


_tokens: dict[str, str] = {}


def session_token(dashboard, user) -> str:
    """The user's session token, logged in through the API once per user.

    Logins are limited per e-mail per minute: logging in for every API call would lock the browser tests out.
    """
    if user.email not in _tokens:
        variables = {"input": {"email": user.email, "password": user.password}}
        _tokens[user.email] = call_api(dashboard, LOGIN, variables=variables).json()["data"]["login"]["token"]
    return _tokens[user.email]


def call_api(
    dashboard, document: str, *, token: str | None = None, variables: dict | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        dashboard.api_url, json={"query": document, "variables": variables or {}}, headers=headers, timeout=10
    )


def new_sender() -> str:
    return f"+1555{uuid.uuid4().int % 10**7:07d}"


def send_customer_message(dashboard, token: str, *, sender: str, text: str, channel: str = "SMS") -> None:
    """A customer event through the API's ingest path (the worker answers it)."""
    event = {
        "channel": channel,
        "idempotencyKey": f"dash-{uuid.uuid4()}",
        "sender": sender,
        "text": text,
        "occurredAt": datetime.now(UTC).isoformat(),
    }
    body = call_api(dashboard, INGEST_EVENT, token=token, variables={"input": event}).json()
    assert body["data"]["ingestEvent"]["__typename"] == "EventAccepted", body


async def conversations_with_text(
    dashboard, token: str, text: str, *, count: int, timeout: float = 60
) -> list[dict]:
    """Wait until `count` conversations hold `text` and the agent has answered each; answer them."""
    deadline = time.monotonic() + timeout
    while True:
        body = call_api(dashboard, CONVERSATIONS_WITH_TEXT, token=token, variables={"text": text}).json()
        found = [edge["node"] for edge in body["data"]["conversations"]["edges"]]
        if len(found) >= count and all(node["messageCount"] >= 2 for node in found):
            return found
        assert time.monotonic() < deadline, f"only {len(found)} of {count} conversations with {text!r}"
        await asyncio.sleep(0.3)


async def choose(page, trigger_id: str, option: str) -> None:
    """Pick an option of a select by its visible text."""
    await page.click(f"#{trigger_id}")
    await page.get_by_role("option", name=option, exact=True).click()


def open_the_business() -> None:
    """The demo business's services, hours and slots (what `agentops seed` adds first), so the agent can
    book."""
    script = (
        "from backend.cli.orm import run_with_orm\n"
        "from backend.scheduling.seed import business_today, seed_business\n"
        "from backend.settings import get_settings\n"
        "settings = get_settings()\n"
        "run_with_orm(settings, lambda: seed_business(timezone=settings.business_timezone,"
        " today=business_today(settings)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
