"""Spans of days a customer is open to: "next week", "sometime this week", "in two weeks", "end of the month".

A span is no date: the agent searches it whole and offers the first open times in it rather than guessing a
day. dateparser (calendar_parser) says where the week or month is ("next week", "in two weeks", "next month");
the slices of it a receptionist hears are written here:

- "this week" runs from today to Sunday; "next week" is Monday to Sunday of the following week; "in two weeks"
  and "in a month" are the whole week (Monday to Sunday) that day falls in.
- "this month" runs from today to the month's last day; "next month" is all of it.
- "early …" / "the start of …" is a week's Monday to Wednesday or a month's first ten days; "later this week"
  starts tomorrow; "the end of the week" is Thursday to Sunday and "the end of the month" its last seven days.
- "over the next few days" is today and the three days after it.

Days before today are never part of a span; a span that would lie wholly in the past ("early this week" on a
Friday) is not read at all, so the agent asks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from backend.agent.nlu.calendar_parser import parse_relative
from backend.agent.nlu.text import Found

COUNT = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|a\s+couple\s+of|a\s+few|couple\s+of|few)"
# "the week" alone is no span ("the week after my surgery"); it takes a part: "the end of the week".
CALENDAR_SPAN = re.compile(
    r"\b(?:(?P<part>early|earlier|late|later|(?:the\s+)?(?:end|beginning|start|middle)\s+of)\s+)?"
    r"(?P<which>this\s+coming|this|next|the)\s+(?P<unit>week|month)\b(?!\s*(?:end|ends|day|days|'s)\b)",
    re.IGNORECASE,
)
COUNTED_SPAN = re.compile(
    rf"\b(?:in|within)\s+(?:about\s+|around\s+)?(?P<count>{COUNT})\s+(?P<unit>weeks?|months?)(?:'?\s*time)?\b"
    r"|\bin\s+a\s+fortnight\b",
    re.IGNORECASE,
)
NEXT_FEW_DAYS = re.compile(
    rf"\b(?:in|within|over|during)\s+the\s+(?:next|coming)\s+(?P<count>{COUNT})\s+days\b", re.IGNORECASE
)
# "it hasn't moved in a week", "not seen in two weeks": time gone by, not a wish.
GONE_BY = re.compile(r"(?:n't|\bnot|\bnever|\bno)\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
SPOKEN_COUNTS = {"a couple of": "2", "couple of": "2", "a few": "3", "an": "1", "a": "1"}
FEW = {
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
}


@dataclass(frozen=True)
class DateRange:
    """The first and last day (inclusive) of a span of days, in the business time zone.

    `choices` is set when the customer named days as alternatives ("Monday or Friday"): only those days are
    meant.
    """

    first: dt.date
    last: dt.date
    choices: tuple[dt.date, ...] = ()

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def find_date_range(text: str, *, today: dt.date) -> Found[DateRange] | None:
    """The first span of days written in the text, clipped to start today at the earliest."""
    for pattern, read in (
        (COUNTED_SPAN, _counted),
        (NEXT_FEW_DAYS, _next_few_days),
        (CALENDAR_SPAN, _calendar),
    ):
        for match in pattern.finditer(text):
            span = read(match, today)
            if span is not None and not (pattern is COUNTED_SPAN and GONE_BY.search(text[: match.start()])):
                first = max(span.first, today)
                if first <= span.last:
                    return Found(DateRange(first, span.last), match.start(), match.end())
    return None


# Two dates as the ends of a span ("between the 3rd and the 6th", "from Monday to Wednesday", "Jan 14-16"), or
# as a choice of days ("Friday or Saturday", "Monday or Friday").
BETWEEN_DATES = re.compile(r"^[\s,]*(?:and|to|till|until|through|thru|-|–)[\s,]*$", re.IGNORECASE)
BEFORE_FIRST_DATE = re.compile(
    r"\b(?:between|from|any\s*time|anything|sometime)\s+(?:on\s+)?$", re.IGNORECASE
)
# "move it from Monday to Wednesday", "reschedule my massage from Friday to Tuesday": the day left and the new
# one.
MOVING = re.compile(r"\b(?:move|moving|moved|reschedul\w*|push|change|switch|bump|shift)\b", re.IGNORECASE)
EITHER_DATE = re.compile(r"^[\s,]*(?:or|or\s+maybe|or\s+else|or\s+perhaps)[\s,]*(?:on\s+)?$", re.IGNORECASE)


def span_between(text: str, dates: list[Found[dt.date]]) -> Found[DateRange] | None:
    """Two dates the text joins into a span: the ends of a range, or days given as a choice."""
    for first, second in zip(dates, dates[1:], strict=False):
        between = text[first.end : second.start]
        ends = (
            BETWEEN_DATES.match(between)
            and not MOVING.search(text)
            and (
                BEFORE_FIRST_DATE.search(text[: first.start])
                or between.strip() in {"-", "–", "through", "thru"}
            )
        )
        either = EITHER_DATE.match(between) and first.value != second.value
        # "Friday to Tuesday": the Tuesday after that Friday, not the coming one.
        last = weekday_within(
            second.value, DateRange(first.value, first.value + dt.timedelta(days=6)), text=text
        )
        if (ends and first.value < last) or either:
            low, high = sorted((first.value, last if ends else second.value))
            choices = (low, high) if either and (high - low).days > 1 else ()  # neighbours are a span anyway
            return Found(DateRange(low, high, choices), first.start, second.end)
    return None


def weekday_within(day: dt.date, span: DateRange, *, text: str) -> dt.date:
    """A weekday the customer named ("Thursday") moved into the span they also named ("next week"), if it
    fits.

    Only a date said as a weekday moves: "tomorrow, or next week" keeps tomorrow.
    """
    name = day.strftime("%A").lower()
    if day >= span.first or not re.search(rf"\b(?:{name}|{name[:3]})", text, re.IGNORECASE):
        return day
    later = day + dt.timedelta(weeks=-(-(span.first - day).days // 7))
    return later if later <= span.last else day


def _counted(match: re.Match[str], today: dt.date) -> DateRange | None:
    written = re.sub(r"\s+", " ", match.group(0).lower())
    for spoken, digits in SPOKEN_COUNTS.items():
        written = re.sub(rf"\b{spoken}\b", digits, written)
    parsed = parse_relative(written.replace("within", "in").replace("'", " "), today=today)
    return _week_of(parsed.value) if parsed else None


def _next_few_days(match: re.Match[str], today: dt.date) -> DateRange:
    count = match["count"].lower()
    days = int(count) if count.isdigit() else FEW[re.sub(r"\s+", " ", count)]
    return DateRange(today, today + dt.timedelta(days=max(days, 1)))


def _calendar(match: re.Match[str], today: dt.date) -> DateRange | None:
    which = re.sub(r"\s+", " ", match["which"].lower())
    part = re.sub(r"^the |\s+of$", "", re.sub(r"\s+", " ", (match["part"] or "").lower()))
    if which == "the" and part not in {"end", "beginning", "start", "middle"}:
        return None
    unit = match["unit"].lower()
    parsed = parse_relative(f"{'next' if which == 'next' else 'this'} {unit}", today=today)
    if parsed is None:
        return None
    whole = _week_of(parsed.value) if unit == "week" else _month_of(parsed.value)
    return _slice(whole, part=part, unit=unit, today=today)


def _slice(whole: DateRange, *, part: str, unit: str, today: dt.date) -> DateRange:
    if part in {"early", "earlier", "beginning", "start"}:
        return DateRange(whole.first, whole.first + dt.timedelta(days=2 if unit == "week" else 9))
    if part == "middle":
        middle = whole.first + dt.timedelta(days=whole.days // 2)
        half = dt.timedelta(days=1 if unit == "week" else 3)
        return DateRange(middle - half, middle + half)
    if part in {"late", "later"} and whole.first <= today <= whole.last:
        return DateRange(today + dt.timedelta(days=1), whole.last)
    if part in {"late", "later", "end"}:
        return DateRange(whole.last - dt.timedelta(days=3 if unit == "week" else 6), whole.last)
    return whole


def _week_of(day: dt.date) -> DateRange:
    monday = day - dt.timedelta(days=day.weekday())
    return DateRange(monday, monday + dt.timedelta(days=6))


def _month_of(day: dt.date) -> DateRange:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return DateRange(first, following - dt.timedelta(days=1))
