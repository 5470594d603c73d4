"""Try it by role: viewers watch but cannot write as a customer; the page says who takes the replies."""

from __future__ import annotations

from tests.dashboard.conftest import log_in


async def test_a_viewer_sees_no_composer_and_an_operator_is_told_a_real_endpoint_takes_the_replies(
    dashboard, dashboard_users, browser_context, browser
):
    page = await browser_context.new_page()
    await log_in(page, dashboard, dashboard_users["viewer"])
    await page.goto(f"{dashboard.url}/try")
    await page.wait_for_selector("#try-it-read-only")
    assert await page.locator("#try-it-send").count() == 0

    operators_browser = await browser.new_context(
        viewport={"width": 1400, "height": 900}
    )  # a login of its own
    try:
        page = await operators_browser.new_page()
        await log_in(page, dashboard, dashboard_users["operator"])
        await page.goto(f"{dashboard.url}/try")
        # The suite's API has an SMS endpoint (its fake provider) and the sandbox off: the page does not say
        # sandbox.
        await page.locator("#try-it-delivery", has_text="the SMS provider configured").wait_for()
        assert "sandbox" not in await page.inner_text("#try-it-delivery")
    finally:
        await operators_browser.close()
