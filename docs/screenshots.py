"""Screenshots of the main dashboard pages from a running product, for the README.

    python docs/screenshots.py --url http://127.0.0.1:3000 --email admin@example.com --password …

`make up` (or `agentops up`) prints the URL and a demo admin login; the demo data (a week of metrics, eval
runs and a resolved incident) fills every page.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from playwright.async_api import async_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# file name -> (path, an element that shows the page has its data)
PAGES = {
    "overview": ("/", "#conversation-feed .conversation-row"),
    "evals": ("/evals", "#eval-runs .eval-run-row"),
    "metrics": ("/metrics", "#metric-charts .recharts-line"),
    "incidents": ("/incidents", "#incident-list .incident-row"),
    "incident": (None, "#incident-timeline .timeline-entry"),  # the newest incident, opened from the list
    "demo": ("/demo", "#drill-start"),
    "try-it": ("/try", "#try-it-send"),  # then a customer message is sent and answered (see _try_it)
}
# What the README's first five minutes suggest: a question the agent answers with check_availability, then a
# choice it books with book_appointment.
TRY_IT_MESSAGES = ("Can I book a haircut tomorrow?", "10am please, I'm Sam")


async def _try_it(page) -> None:
    """Write as a customer and wait for each reply to be delivered and its run's tool calls to show."""
    for sent, text in enumerate(TRY_IT_MESSAGES, start=1):
        await page.fill("#try-it-text", text)
        await page.click("#try-it-send")
        await page.wait_for_function(
            "n => document.querySelectorAll(\"#try-it-thread .try-it-message[data-author='AGENT']"
            "[data-delivery='SENT']\").length >= n && document.querySelectorAll('#try-it-runs "
            ".try-it-run').length >= n",
            arg=sent,
            timeout=30_000,
        )


async def take(url: str, email: str, password: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    taken = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = await browser.new_page(viewport={"width": 1440, "height": 900})
        await page.goto(f"{url}/login")
        await page.fill("#login-email", email)
        await page.fill("#login-password", password)
        await page.click("#login-submit")
        await page.wait_for_selector("#user-email")
        for name, (path, ready) in PAGES.items():
            if path is None:
                await page.goto(f"{url}/incidents")
                await page.locator("#incident-list .incident-row a").first.click()
            else:
                await page.goto(f"{url}{path}")
            await page.wait_for_selector(ready, timeout=30_000)
            if name == "try-it":
                await _try_it(page)
            await page.wait_for_timeout(800)  # let the charts finish drawing
            target = out / f"{name}.png"
            await page.screenshot(path=target)
            taken.append(target)
        await browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--email", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "screenshots")
    arguments = parser.parse_args()
    for path in asyncio.run(take(arguments.url, arguments.email, arguments.password, arguments.out)):
        print(path)


if __name__ == "__main__":
    main()
