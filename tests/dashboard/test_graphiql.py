"""GraphiQL in a real browser, opened from the link `agentops up` prints: the key is in every tab's headers,
the first example runs with one click, the subscription authenticates with it, and the key never reaches the
API's log.

No request leaves the machine: this one reaches no CDN (nor do many users' machines), so the API serves
GraphiQL's files itself, installed with npm on its first start (backend/api/graphiql_files.py), and the
browser checks each against the page's integrity hash.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import sys

import httpx
import pytest

from backend.api.graphiql_files import ASSETS, NPM_DIR, integrity_of, missing_assets
from backend.cli.up import graphiql_link
from tests.dashboard.graphiql_page import editor_text, open_tab, reach_only, run
from tests.helpers import free_port, spawn_agentops, stop_processes, wait_for_http
from tests.ingest.documents import INGEST_EVENT, event


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


async def test_the_printed_link_opens_graphiql_ready_offline_and_the_key_stays_out_of_the_log(
    graphiql_api, browser_context
):
    api, key, log = graphiql_api
    elsewhere = await reach_only(browser_context, api)
    page = await browser_context.new_page()
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(request.url))
    await page.goto(graphiql_link(api, key))
    await page.wait_for_selector(".graphiql-execute-button")
    assert elsewhere == []
    assert {f"{api}/graphql/assets/{asset.name}" for asset in ASSETS} <= set(loaded)
    assert page.url == f"{api}/graphql"  # the key left the address bar at once
    headers = await editor_text(page, ".graphiql-editor-tool", "Authorization")
    assert json.loads(headers) == {"Authorization": f"Bearer {key}"}
    assert [await tab.inner_text() for tab in await page.locator(".graphiql-tab").all()] == [
        "Conversations",
        "SendCustomerMessage",
        "Live",
        "SandboxOutbox",
    ]

    # One click: the README's first query answers with data, not an authentication error.
    answer = await run(page, '"conversations"')
    assert "errors" not in answer and "edges" in answer["data"]["conversations"]

    # The subscription authenticates with the same header (GraphiQL sends it as connection_init's payload).
    await open_tab(page, "Live")
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
    update = json.loads(await editor_text(page, ".graphiql-response", sender))
    assert update["data"]["conversationUpdated"]["customer"] == sender

    # The ingest example is accepted as it stands.
    await open_tab(page, "SendCustomerMessage")
    accepted = await run(page, '"__typename"')
    assert accepted["data"]["ingestEvent"]["__typename"] == "EventAccepted", accepted

    assert elsewhere == []  # nothing, all along, asked anything but the API
    written = log.read_text()
    assert "GET /graphql" in written and "POST /graphql" in written  # every request was logged…
    assert key not in written and key[3:15] not in written  # …and the key in none of it


FILE_TAG = re.compile(
    r'<(?:script|link) crossorigin (?:src|rel="stylesheet" href)="([^"]+)" integrity="([^"]+)"'
)


async def test_the_api_serves_graphiqls_files_itself_byte_for_byte_as_the_page_hashes_name_them(graphiql_api):
    api, _, _ = graphiql_api
    async with httpx.AsyncClient(base_url=api) as http:
        page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
        linked = FILE_TAG.findall(page)
        assert [url for url, _ in linked] == [f"/graphql/assets/{asset.name}" for asset in ASSETS]
        for url, integrity in linked:
            served = await http.get(url)
            assert served.status_code == 200, url
            assert integrity_of(served.content) == integrity  # what the browser checks before it runs it
            assert served.headers["content-type"].startswith(("text/javascript", "text/css"))
            assert "immutable" in served.headers["cache-control"]  # the URL names the version

        # Nothing else of the installed packages, whatever the path says.
        for other in (
            "graphiql@3.8.3/graphiql.min.js.map",
            "graphiql@3.8.3/package.json",
            "graphiql@3.8.4/graphiql.min.js",
            "graphiql@3.8.3/../../package-lock.json",
            "react@18.2.0/umd/../../react-dom/package.json",
        ):
            assert (await http.get(f"/graphql/assets/{other}")).status_code == 404, other


def test_an_installed_file_that_differs_from_its_hash_is_not_taken(tmp_path):
    from backend.api.graphiql_files import install_assets

    install_assets()  # what `agentops api` does on its first start; nothing when already done
    modules = tmp_path / "node_modules"
    for asset in ASSETS:
        copy = asset.path(modules)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(asset.path(NPM_DIR / "node_modules"), copy)
    assert missing_assets(modules=modules) == []

    altered = ASSETS[-1]
    data = bytearray(altered.path(modules).read_bytes())
    data[100] ^= 1  # one bit
    altered.path(modules).write_bytes(bytes(data))
    assert missing_assets(modules=modules) == [altered]
