"""Driving GraphiQL in a browser as a person does, on a machine that reaches nothing but itself."""

from __future__ import annotations

import asyncio
import json


async def reach_only(context, origin: str) -> list[str]:
    """Every request of the browser to anything but `origin` fails, as on a machine with no internet; the
    list fills with the URLs it tried."""
    elsewhere: list[str] = []

    async def route(request_route):
        if request_route.request.url.startswith(f"{origin}/"):
            await request_route.continue_()
        else:
            elsewhere.append(request_route.request.url)
            await request_route.abort("internetdisconnected")

    await context.route("**/*", route)
    return elsewhere


async def editor_text(page, selector: str, expect: str, *, timeout: float = 20) -> str:
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


async def open_tab(page, name: str) -> None:
    await page.locator(".graphiql-tab", has_text=name).click()
    await editor_text(page, ".graphiql-query-editor", f" {name}")  # the editor shows its operation
    # GraphiQL reads the operation's name from the editor a moment after it changes; a click sooner runs the
    # new document under the previous tab's operation name (a person never clicks that fast).
    await asyncio.sleep(1.0)


async def run(page, expect: str) -> dict:
    """Press ▶ and read the response once it contains `expect`."""
    await page.click(".graphiql-execute-button")
    return json.loads(await editor_text(page, ".graphiql-response", expect))
