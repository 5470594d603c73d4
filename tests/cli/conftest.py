"""The dashboard's browser fixtures, for the first-five-minutes tests (they drive the dashboard too)."""

from tests.dashboard.conftest import browser, browser_context  # noqa: F401  (pytest finds fixtures by name)
