"""GraphiQL in a real browser, opened from the link `agentops up` prints: the key is in every tab's headers,
the first example runs with one click, the subscription authenticates with it, and the key never reaches the
API's log.

The page loads GraphiQL from its CDN, which this machine cannot reach: the CDN's URLs are answered from the
same packages installed from the npm registry (tests/dashboard/graphiql_assets), and the page's integrity
hashes check that every byte is what the CDN serves.
"""

from __future__ import annotations

import asyncio
import json
import mimetypes
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from backend.cli.up import graphiql_link
from tests.helpers import free_port, spawn_agentops, stop_processes, wait_for_http
from tests.ingest.documents import INGEST_EVENT, event

ASSETS = Path(__file__).parent / "graphiql_assets"
CDN = "https://unpkg.com/"


def _install_assets() -> Path:
    modules = ASSETS / "node_modules"
    if not (modules / "graphiql" / "graphiql.min.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("The GraphiQL browser test needs npm (Debian: apt-get install -y npm).")
        done = subprocess.run(
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=ASSETS,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    return modules


def _cdn_file(modules: Path, url: str) -> Path:
    """node_modules/<package>/<file> for https://unpkg.com/<package>@<version>/<file>."""
    parts = urlparse(url).path.lstrip("/").split("/")
    scoped = parts[0].startswith("@")
    package = "/".join(parts[:2] if scoped else parts[:1]).rsplit("@", 1)[0]
    return modules / package / "/".join(parts[2:] if scoped else parts[1:])


@pytest.fixture
async def graphiql_api(test_settings, tmp_path, workers):
    """An API logging every request (DEBUG: uvicorn's access lines too), and an admin key made with the
    CLI."""
    port = free_port()
    log = tmp_path / "api.log"
    process = spawn_agentops(
        "api", log_path=log, env={"AGENTOPS_API_PORT": str(port), "AGENTOPS_LOG_LEVEL": "DEBUG"}
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process)
        created = subprocess.run(
            [
                sys.executable,
                "-m",
                "backend.cli.main",
                "keys",
                "create",
                "--name",
                "graphiql test",
                "--scope",
                "admin",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert created.returncode == 0, created.stderr
        yield f"http://127.0.0.1:{port}", created.stdout.strip().splitlines()[-1], log
    finally:
        stop_processes([process])


async def _editor_with(page, selector: str, expect: str, *, timeout: float = 20) -> str:
    """The text of the visible CodeMirror editor inside `selector` once it contains `expect` (the variables
    and headers editors share one place; a response streams in)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        text = await page.evaluate(
            "selector => ([...document.querySelectorAll(selector + ' .CodeMirror')]"
            ".find(editor => !editor.parentElement.classList.contains('hidden'))"
            "?.CodeMirror.getValue()) ?? ''",
            selector,
        )
        if expect in text:
            return text
        assert asyncio.get_running_loop().time() < deadline, f"no {expect!r} in {selector}: {text[:500]!r}"
        await asyncio.sleep(0.2)


async def _open_tab(page, name: str) -> None:
    await page.locator(".graphiql-tab", has_text=name).click()
    await _editor_with(page, ".graphiql-query-editor", f" {name}")  # the editor shows its operation
    # GraphiQL reads the operation's name from the editor a moment after it changes; a click sooner runs the
    # new document under the previous tab's operation name (a person never clicks that fast).
    await asyncio.sleep(1.0)


async def _run(page, expect: str) -> dict:
    await page.click(".graphiql-execute-button")
    return json.loads(await _editor_with(page, ".graphiql-response", expect))


async def test_the_printed_link_opens_graphiql_ready_and_the_key_stays_out_of_the_log(
    graphiql_api, browser_context
):
    api, key, log = graphiql_api
    modules = _install_assets()

    async def serve_cdn(route):
        file = _cdn_file(modules, route.request.url)
        if not file.is_file():
            await route.fulfill(status=404)
            return
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        await route.fulfill(
            body=file.read_bytes(), headers={"Access-Control-Allow-Origin": "*", "Content-Type": kind}
        )

    await browser_context.route(f"{CDN}**", serve_cdn)
    page = await browser_context.new_page()
    await page.goto(graphiql_link(api, key))
    await page.wait_for_selector(".graphiql-execute-button")
    assert page.url == f"{api}/graphql"  # the key left the address bar at once
    headers = await _editor_with(page, ".graphiql-editor-tool", "Authorization")
    assert json.loads(headers) == {"Authorization": f"Bearer {key}"}
    assert [await tab.inner_text() for tab in await page.locator(".graphiql-tab").all()] == [
        "Conversations",
        "SendCustomerMessage",
        "Live",
        "SandboxOutbox",
    ]

    # One click: the README's first query answers with data, not an authentication error.
    answer = await _run(page, '"conversations"')
    assert "errors" not in answer and "edges" in answer["data"]["conversations"]

    # The subscription authenticates with the same header (GraphiQL sends it as connection_init's payload).
    await _open_tab(page, "Live")
    await page.click(".graphiql-execute-button")
    await asyncio.sleep(1.0)  # the socket is open and subscribed
    sender = "+15550106060"
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http:
        sent = await http.post(
            f"{api}/graphql",
            json={
                "query": INGEST_EVENT,
                "variables": {"input": event(sender=sender, text="What are your opening hours on Saturday?")},
            },
        )
    assert sent.json()["data"]["ingestEvent"]["__typename"] == "EventAccepted"
    update = json.loads(await _editor_with(page, ".graphiql-response", sender))
    assert update["data"]["conversationUpdated"]["customer"] == sender

    # The ingest example is accepted as it stands.
    await _open_tab(page, "SendCustomerMessage")
    accepted = await _run(page, '"__typename"')
    assert accepted["data"]["ingestEvent"]["__typename"] == "EventAccepted", accepted

    written = log.read_text()
    assert "GET /graphql" in written and "POST /graphql" in written  # every request was logged…
    assert key not in written and key[3:15] not in written  # …and the key in none of it
