"""Calendar dates in customer messages, resolved against today's date in the business time zone.

The patterns here find where a date is written; dateparser (calendar_parser) reads month names, numeric dates,
years and counted days ("tomorrow", "in 3 days"). What stays hand-written is what dateparser reads otherwise
than a receptionist: weekdays, "the 5th", holidays, "a week from today", "Friday week".

Rules: a bare or "this" weekday is the coming one, today included; "next <weekday>" is the first one strictly
after today; "Friday week" and "a week on Friday" are the Friday after the coming one; a month and day without
a year that has already passed this year means next year; "12/3" is month/day where the business writes month
first (America/ and US/ time zones) and day/month elsewhere, and a date that only reads one way ("14/01") or
is written with dots ("15.01.2030") is read that way; "the 5th" is the coming 5th (today included). When
several dates are given, the last wins unless it comes after "from", "instead of" or "not" ("move it from
Friday to Monday" means Monday). Spans of days ("next week", "end of the month") are date_ranges' business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from backend.agent.nlu.calendar_parser import DateOrder, parse_absolute, parse_relative
from backend.agent.nlu.numbers import ORDINAL_WORDS, alternatives, word_value
from backend.agent.nlu.text import Found, blank, intended

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tues": 1,
    "tue": 1,
    "wednesday": 2,
    "weds": 2,
    "wed": 2,
    "thursday": 3,
    "thurs": 3,
    "thur": 3,
    "thu": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
# These abbreviations are also everyday words ("I sat", "the sun"), so they need a "on"/"this"/"next" first.
AMBIGUOUS_WEEKDAYS = frozenset({"wed", "sat", "sun"})
MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# "the 3rd may work" and "march in" are verbs, not months, unless written "of May".
VERB_MONTHS = frozenset({"may", "march", "mar"})

DAY = rf"(?P<day>\d{{1,2}}(?:st|nd|rd|th)?|{alternatives(ORDINAL_WORDS)})"
MONTH = rf"(?P<month>{alternatives(MONTHS)})"
YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
NOT_A_TIME = r"(?!\s*(?:am\b|pm\b|a\.m|p\.m|:\d|o'?clock))"
# Ordinals that count something other than days: "the third time", "5th floor".
NOT_A_DAY = (
    r"(?!\s*(?:time|times|floor|grade|street|st\b|avenue|ave\b|row|place|person|people|one|attempt|try|visit"
    r"|appointment|call|email|message|charge|order|booking|week|of\s+us|of\s+them|in\s+line))"
)

ISO_DATE = re.compile(r"\b(?P<year>\d{4})-\d{2}-\d{2}\b")
MONTH_THEN_DAY = re.compile(rf"\b{MONTH}\.?\s+(?:the\s+)?{DAY}\b{NOT_A_TIME}{YEAR}", re.IGNORECASE)
DAY_THEN_MONTH = re.compile(rf"\b(?:the\s+)?{DAY}\s+(?P<of>of\s+)?{MONTH}\b\.?{YEAR}", re.IGNORECASE)
# "1/2 price" and "1/2 hour" are halves, not January 2nd; "24/7" is all the time.
NUMERIC_DATE = re.compile(
    r"(?<![\d/.:,$])(?!24/7\b)(?P<first>\d{1,2})(?P<separator>[/.])(?P<second>\d{1,2})"
    r"(?:(?P=separator)(?P<year>\d{4}|\d{2}))?(?![\d/]|\.\d)"
    r"(?!\s*(?:hours?|hrs?|price|off|an?\b|am\b|pm\b|a\.m|p\.m|o'?clock))",
    re.IGNORECASE,
)
# Counted from today; dateparser reads them ("in two weeks" is a span of days: see date_ranges).
COUNTED_DAYS = re.compile(
    r"\b(?:(?:the\s+)?day\s+after\s+tomorrow|tomorrow|yesterday"
    r"|in\s+(?:\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+days?)\b",
    re.IGNORECASE,
)
TODAY = re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.IGNORECASE)
HOLIDAY = re.compile(
    r"\b(?P<holiday>christmas\s+eve|christmas(?:\s+day)?|xmas|new\s+year'?s\s+eve|new\s+year'?s(?:\s+day)?"
    r"|thanksgiving(?:\s+day)?|independence\s+day|fourth\s+of\s+july|halloween|valentine'?s(?:\s+day)?)\b",
    re.IGNORECASE,
)
FIXED_HOLIDAYS = {
    "christmas eve": (12, 24),
    "christmas": (12, 25),
    "xmas": (12, 25),
    "new year's eve": (12, 31),
    "new year's": (1, 1),
    "independence": (7, 4),
    "fourth": (7, 4),
    "halloween": (10, 31),
    "valentine's": (2, 14),
}
WEEK_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# "a week from today", "a week tomorrow", "two weeks on Friday": whole weeks after a day (dateparser reads
# "a week from today" as a week ago). "Friday week" is the British "a week on Friday".
WEEKS_AFTER = re.compile(
    rf"\b(?P<count>{alternatives(tuple(WEEK_COUNTS))})\s+weeks?\s+(?:(?:from|after|on)\s+)?"
    rf"(?P<anchor>today|tonight|tomorrow|now|{alternatives(WEEKDAYS)})\b",
    re.IGNORECASE,
)
WEEKDAY_WEEK = re.compile(
    r"(?<!next )(?<!this "
    rf")\b(?P<anchor>{alternatives({day: n for day, n in WEEKDAYS.items() if len(day) > 3})})"
    r"\s+week\b(?!\s*(?:of|is|was|days?|ends?))",
    re.IGNORECASE,
)
WEEKEND = re.compile(r"\b(?P<qualifier>next\s+|this\s+|the\s+)?weekend\b", re.IGNORECASE)
WEEKDAY = re.compile(
    r"(?<!')\b(?:(?P<qualifier>next\s+week(?:\s+on)?|this\s+coming|next|this|coming|last|on|for|by|till|until)"
    r"\s+)?"
    rf"(?P<weekday>{alternatives(WEEKDAYS)})(?P<plural>s)?\b\.?(?P<next_week>\s+(?:of\s+)?next\s+week)?",
    re.IGNORECASE,
)
DAY_OF_MONTH = re.compile(
    r"\b(?:(?:on|for|by|until|till)\s+the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    rf"|(?:the\s+)?(?P<ordinal>\d{{1,2}})(?:st|nd|rd|th))\b{NOT_A_DAY}",
    re.IGNORECASE,
)
# Only a number, perhaps with "the" or "works": "at 3" would be a time, not the 3rd.
BARE_DAY_NUMBER = re.compile(
    r"^\W*(?:(?:on|for)\s+)?(?:the\s+)?(?P<day>\d{1,2})(?:\s+(?:works|please|is\s+fine|is\s+good|then))?\W*$",
    re.IGNORECASE,
)

Reader = Callable[[re.Match[str], dt.date, DateOrder], dt.date | None]


def find_dates(
    text: str, *, today: dt.date, expecting: str | None = None, order: DateOrder = "MDY"
) -> list[Found[dt.date]]:
    """Every date written in the text, in reading order; each piece of text is read as at most one date.

    `order` is how the business writes a numeric date that reads both ways ("3/4"): see the module docstring.
    """
    found: list[Found[dt.date]] = []
    for pattern, read in _READERS:
        for match in pattern.finditer(text):
            value = read(match, today, order)
            if value is not None:
                found.append(Found(value, match.start(), match.end()))
        text = blank(text, *found)
    if not found and expecting == "date":
        # Asked "which day?", a lone number is the day of the month.
        lone = BARE_DAY_NUMBER.match(text)
        if lone and (value := _coming_day_of_month(int(lone["day"]), today)):
            found.append(Found(value, lone.start("day"), lone.end("day")))
    return sorted(found, key=lambda item: item.start)


def find_date(
    text: str, *, today: dt.date, expecting: str | None = None, order: DateOrder = "MDY"
) -> Found[dt.date] | None:
    """The date the customer means: see the module docstring for how several dates are settled."""
    return intended(find_dates(text, today=today, expecting=expecting, order=order), text=text)


def date_order(zone: dt.tzinfo | None) -> DateOrder:
    """How the business writes numeric dates, from its time zone: month first in America/ and US/ zones."""
    key = getattr(zone, "key", "") or ""
    return "MDY" if key.startswith(("America/", "US/", "Pacific/Honolulu")) else "DMY"


def _numeric(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    first, second = int(match["first"]), int(match["second"])
    if match["separator"] == ".":
        # "4.15" is a time or a price far more often than April 15th: dots make a date only with a year or a
        # day that cannot be an hour ("15.01"), and are read day first, as those who write them do.
        if not match["year"] and first <= 12:
            return None
        order = "DMY"
    if not (first and second) or (first > 12 and second > 12):
        return None
    return parse_absolute(match.group(0), today=today, order=order, with_year=bool(match["year"]))


def _written_date(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    """ "Dec 3", "3rd of December", "december third, 2031", "2031-12-03"."""
    month_word = (match.groupdict().get("month") or "").lower()
    if month_word in VERB_MONTHS and match.re is DAY_THEN_MONTH and not match["of"]:
        return None
    written = match.group(0)
    if match.groupdict().get("day"):
        # dateparser knows "3rd" but not "third": hand it the digits.
        day = match["day"]
        start, end = match.start("day") - match.start(), match.end("day") - match.start()
        written = written[:start] + str(_day_number(day)) + written[end:]
    return parse_absolute(written, today=today, order=order, with_year=bool(match["year"]))


def _counted_days(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    parsed = parse_relative(re.sub(r"\s+", " ", match.group(0)), today=today)
    return parsed.value if parsed and parsed.period == "day" else None


def _today(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date:
    return today


def _weeks_after(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date:
    weeks = WEEK_COUNTS[match["count"].lower()]
    return _anchor_day(match["anchor"].lower(), today) + dt.timedelta(weeks=weeks)


def _weekday_week(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date:
    return _anchor_day(match["anchor"].lower(), today) + dt.timedelta(weeks=1)


def _anchor_day(word: str, today: dt.date) -> dt.date:
    if word in {"today", "tonight", "now"}:
        return today
    if word == "tomorrow":
        return today + dt.timedelta(days=1)
    return today + dt.timedelta(days=(WEEKDAYS[word] - today.weekday()) % 7)


def _holiday(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    spoken = re.sub(r"\s+", " ", match["holiday"].lower())
    spoken = re.sub(r" day$", "", spoken.replace("years", "year's").replace("valentines", "valentine's"))
    if spoken == "thanksgiving":  # the fourth Thursday of November
        this_year = _fourth_thursday_of_november(today.year)
        return this_year if this_year >= today else _fourth_thursday_of_november(today.year + 1)
    month, day = FIXED_HOLIDAYS[spoken.split(" of ")[0]]
    return _coming(month, day, today)


def _fourth_thursday_of_november(year: int) -> dt.date:
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


def _weekend(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date:
    if today.weekday() == 6:  # on a Sunday, "this weekend" is today and the next one starts in six days
        this_weekend, next_weekend = today, today + dt.timedelta(days=6)
    else:
        this_weekend = today + dt.timedelta(days=5 - today.weekday())
        next_weekend = this_weekend + dt.timedelta(days=7)
    return next_weekend if (match["qualifier"] or "").strip().lower() == "next" else this_weekend


def _weekday(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    word = match["weekday"].lower()
    qualifier = re.sub(r"\s+", " ", (match["qualifier"] or "").strip().lower())
    whole_message = match.string.strip(" ?.!,") == match.group(0).strip(" ?.!,")
    if word in AMBIGUOUS_WEEKDAYS and not qualifier and not whole_message:
        return None
    if match["plural"] and len(word) < 6:  # "thus", "suns": an abbreviation never takes a plural
        return None
    weekday = WEEKDAYS[word]
    if qualifier.startswith("next week") or match["next_week"]:
        next_monday = today + dt.timedelta(days=7 - today.weekday())
        return next_monday + dt.timedelta(days=weekday)
    if qualifier == "next":
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)
    if qualifier == "last":
        return today - dt.timedelta(days=(today.weekday() - weekday) % 7 or 7)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def _day_of_month(match: re.Match[str], today: dt.date, order: DateOrder) -> dt.date | None:
    return _coming_day_of_month(int(match["day"] or match["ordinal"]), today)


_READERS: list[tuple[re.Pattern[str], Reader]] = [
    (ISO_DATE, _written_date),
    (MONTH_THEN_DAY, _written_date),
    (DAY_THEN_MONTH, _written_date),
    (NUMERIC_DATE, _numeric),
    (WEEKS_AFTER, _weeks_after),
    (WEEKDAY_WEEK, _weekday_week),
    (COUNTED_DAYS, _counted_days),
    (TODAY, _today),
    (HOLIDAY, _holiday),
    (WEEKEND, _weekend),
    (WEEKDAY, _weekday),
    (DAY_OF_MONTH, _day_of_month),
]


def _day_number(spoken: str) -> int:
    digits = re.match(r"\d+", spoken)
    return int(digits.group(0)) if digits else word_value(ORDINAL_WORDS, spoken)


def _valid(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _coming(month: int, day: int, today: dt.date) -> dt.date | None:
    """This year's date, or next year's once this year's has passed."""
    this_year = _valid(today.year, month, day)
    if this_year is not None and this_year >= today:
        return this_year
    return _valid(today.year + 1, month, day)


def _coming_day_of_month(day: int, today: dt.date) -> dt.date | None:
    """The next date with this day of the month, today included; months too short are skipped."""
    year, month = today.year, today.month
    for _ in range(12):
        candidate = _valid(year, month, day)
        if candidate is not None and candidate >= today:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None
