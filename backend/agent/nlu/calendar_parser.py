"""dateparser, set up for the rules policy: English only, a frozen "now" in the business time zone, cached.

The extractors find *where* a date is written (their patterns know that "the third time" or "I sat" is no
date); dateparser reads *what* the written piece means: month names and abbreviations, numeric dates in either
order, years, "tomorrow", "in 3 days", "in two weeks", "next month". Each piece is read once per business day
and date order: a call costs dateparser about a millisecond, a cached one nothing, and customers repeat
themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import dateparser

DateOrder = Literal["MDY", "DMY"]
# Only the two parsers the extractors need: the others (timestamps, "no spaces" run-together digits, formats
# guessed from other languages) cost time and read order numbers as dates.
PARSERS = ["relative-time", "absolute-time"]
# A date written without a year is at most this far ahead; dateparser reads "13/13" as 13 Jan 2113.
FURTHEST_WITHOUT_YEAR = dt.timedelta(days=366)


@dataclass(frozen=True)
class ParsedDate:
    value: dt.date
    period: Literal["day", "week", "month", "year"]  # how precise the words were: "next week" is a week


def parse_absolute(written: str, *, today: dt.date, order: DateOrder, with_year: bool) -> dt.date | None:
    """A calendar date such as "Dec 3", "3rd of December", "14/01" or "15.01.2030".

    Without a year it is the coming one, today included; with a year it is that date, even one in the past.
    """
    # dateparser's "future" excludes its base day, and "Jan 7" said on Jan 7 means today: read from yesterday.
    parsed = _parse(written.lower(), base=today - dt.timedelta(days=1), order=order)
    if parsed is None or parsed.period != "day":
        return None
    if not with_year and not today <= parsed.value <= today + FURTHEST_WITHOUT_YEAR:
        return None  # never a date dateparser pushed decades ahead ("13/13" as 13 Jan 2113)
    return parsed.value


def parse_relative(written: str, *, today: dt.date) -> ParsedDate | None:
    """ "tomorrow", "in 3 days", "in two weeks", "next month": counted from today, with how precise it is."""
    return _parse(written.lower(), base=today, order="MDY")


@lru_cache(maxsize=2048)
def _parse(written: str, *, base: dt.date, order: DateOrder) -> ParsedDate | None:
    found = _parser(base, order).get_date_data(written)
    if found is None or found.date_obj is None:
        return None
    return ParsedDate(found.date_obj.date(), found.period or "day")


@lru_cache(maxsize=16)
def _parser(base: dt.date, order: DateOrder) -> dateparser.DateDataParser:
    # The base is midnight of the business day: `now` is already business-local, so no time zone is involved.
    settings = {
        "RELATIVE_BASE": dt.datetime.combine(base, dt.time.min),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": order,
        "PARSERS": PARSERS,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    return dateparser.DateDataParser(languages=["en"], settings=settings)


def warm_up() -> None:
    """Build what dateparser compiles lazily on its first relative and absolute reads (~0.5 s), so that the
    process start pays for it rather than the first customer turn."""
    sunday = dt.date(2000, 1, 2)
    parse_relative("in 2 days", today=sunday)
    parse_absolute("jan 5", today=sunday, order="MDY", with_year=False)
    _parse.cache_clear()
