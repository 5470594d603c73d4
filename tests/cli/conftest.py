"""The dashboard's browser fixtures, for the first-five-minutes tests (they drive the dashboard too)."""

# pytest finds fixtures and hooks by name; the report hook is what lets browser_context save a failed test's
# screenshots and page log (tests/dashboard/screenshots/<test>.log) here too.
from tests.dashboard.conftest import (  # noqa: F401
    browser,
    browser_context,
    pytest_runtest_makereport,
)
