"""The test shop: a fixed clock (Wednesday 2026-11-25, 10:00 in New York) and a small catalogue."""

import datetime as dt
from zoneinfo import ZoneInfo

from backend.agent.nlu import Understanding, understand

BUSINESS_ZONE = ZoneInfo("America/New_York")
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=BUSINESS_ZONE)
CATALOGUE = ("haircut", "beard trim", "color touch-up", "dental cleaning", "eye exam", "massage")

TODAY = dt.date(2026, 11, 25)  # a Wednesday
THURSDAY = dt.date(2026, 11, 26)
FRIDAY = dt.date(2026, 11, 27)
SATURDAY = dt.date(2026, 11, 28)
SUNDAY = dt.date(2026, 11, 29)
MONDAY = dt.date(2026, 11, 30)
TUESDAY = dt.date(2026, 12, 1)
NEXT_WEDNESDAY = dt.date(2026, 12, 2)
DECEMBER_3 = dt.date(2026, 12, 3)
DECEMBER_5 = dt.date(2026, 12, 5)


def read(text: str, *, expecting: str | None = None, now: dt.datetime = NOW) -> Understanding:
    """The message as the rules policy understands it in the test shop."""
    return understand(text, now=now, services=CATALOGUE, expecting=expecting)
