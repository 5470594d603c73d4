"""Clock times and parts of the day in customer messages.

A bare hour without am/pm is read for business hours: 1-7 is afternoon or evening ("at 3" is 15:00), 8-11 is
morning, 12 is noon. A part of the day said alongside settles it where it makes sense: "7 in the morning" is
07:00, "9 tonight" is 21:00. "at 2.30" and "14.30" are 2:30pm, "3 30 pm" is 3:30pm, the British "half 4" is
4:30 (16:30). A bare number right after a day ("Friday 4") is the hour. When several times are given, the last
wins unless it comes after "from", "instead of" or "not". Windows ("between 2 and 4", "after 3") are
time_windows' business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from backend.agent.nlu.numbers import HOUR_WORDS, MINUTE_WORDS, alternatives, number_value, word_value
from backend.agent.nlu.text import Found, blank, intended

HOUR = rf"(?P<hour>\d{{1,2}}|{alternatives(HOUR_WORDS)})"
MERIDIEM = r"(?P<meridiem>[ap]\.?\s?m\b\.?|[ap]\b(?<=\d[ap]))"
MINUTES_BEFORE_OR_AFTER = {
    "half": 30,
    "quarter": 15,
    "a quarter": 15,
    "five": 5,
    "ten": 10,
    "twenty": 20,
    "twenty five": 25,
}

NOON = re.compile(r"\b(?:12\s+)?(?:(?P<noon>noon|midday|mid-day)|(?P<midnight>midnight))\b", re.IGNORECASE)
PAST_OR_TO = re.compile(
    rf"\b(?P<minutes>{alternatives(MINUTES_BEFORE_OR_AFTER)})\s+"
    rf"(?P<direction>past|after|to|till|til|before)\s+{HOUR}\b(?:\s*{MERIDIEM})?",
    re.IGNORECASE,
)
COLON = re.compile(
    rf"(?<![\d:])(?P<hour>\d{{1,2}}):(?P<minute>\d{{2}})(?!\d)(?:\s*{MERIDIEM})?", re.IGNORECASE
)
# "4.15" alone could be a price; with am/pm, after a time word or past 12 it is a time.
DOTTED = re.compile(rf"(?<![\d.])(?P<hour>\d{{1,2}})\.(?P<minute>\d{{2}})\s*{MERIDIEM}", re.IGNORECASE)
DOTTED_AFTER_TIME_WORD = re.compile(
    r"\b(?:at|around|about|by|say|till|until|for)\s+(?:like\s+)?(?P<hour>\d{1,2})\.(?P<minute>[0-5]\d)(?![\d.%])",
    re.IGNORECASE,
)
DOTTED_AFTERNOON = re.compile(r"(?<![\d.$£€])(?P<hour>1[3-9]|2[0-3])\.(?P<minute>[0-5]\d)(?![\d.%])")
# "3 30 pm", "at 3 30": a voice transcript or a phone keyboard that lost the colon.
SPACED_MINUTES = re.compile(
    rf"\b(?P<hour>\d{{1,2}})\s(?P<minute>[0-5]\d)\s*{MERIDIEM}"
    r"|\b(?:at|around|about|say)\s+(?P<hour2>\d{1,2})\s(?P<minute2>[0-5]\d)\b(?!\s*(?:people|minutes?|mins?|\d))",
    re.IGNORECASE,
)
# British "half 4" is half past four; "half an hour" and "half price" are not times.
HALF_HOUR = re.compile(rf"\bhalf\s+{HOUR}\b(?!\s*(?:hours?|of|people|dozen|price))", re.IGNORECASE)
SPOKEN_MINUTES = re.compile(
    rf"\b{HOUR}[\s-](?P<minute_words>{alternatives(MINUTE_WORDS)})\b(?:\s*{MERIDIEM})?", re.IGNORECASE
)
# "530pm", "1030am": hour and minutes run together, which am/pm makes safe to read.
RUN_TOGETHER = re.compile(rf"\b(?P<hour>\d{{1,2}})(?P<minute>[0-5]\d)\s*{MERIDIEM}", re.IGNORECASE)
LONE_RUN_TOGETHER = re.compile(r"(?<![\w$.,:/-])(?P<hour>\d{1,2})(?P<minute>[0-5]\d)(?![\w.,:/-])")
HOUR_AND_MERIDIEM = re.compile(rf"\b{HOUR}\s*(?:{MERIDIEM}|o'?clock\b)", re.IGNORECASE)
ROUGH_HOUR = re.compile(rf"\b{HOUR}ish\b", re.IGNORECASE)
# A bare number is only a time after a word that introduces one ("at 4", "make it 4", "push it to 4"), and not
# before a word that counts something.
NOT_COUNTING = (
    r"(?!\s*(?:people|persons|guests|of\b|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?"
    r"|dollars|bucks|percent|%|/|-?\d|point|more|other|another|least|once|times?|st\b|nd\b|rd\b|th\b"
    r"|kids|items|stars?|things))"
)
AFTER_TIME_WORD = re.compile(
    r"\b(?:at|around|about|by|after|before|between|say|till|until|til|from|make\s+it"
    r"|(?:move|push|change|switch|bump)\s+(?:it|that|this)\s+to)\s+(?:like\s+|maybe\s+|about\s+)?"
    rf"{HOUR}\b{NOT_COUNTING}",
    re.IGNORECASE,
)
LONE_NUMBER = re.compile(
    rf"(?<!\w)(?<!that )(?<!this )(?<!the )(?<!which ){HOUR}\b{NOT_COUNTING}", re.IGNORECASE
)
# "9 tonight", "7 in the morning": the hour just before the part of the day it belongs to.
BEFORE_PART_OF_DAY = re.compile(rf"\b{HOUR}\s+(?:in\s+the\s+|at\s+|this\s+)?$", re.IGNORECASE)

PART_OF_DAY = re.compile(
    r"(?<!last )(?<!yesterday )\b(?:(?P<morning>mornings?|first thing)"
    r"|(?P<afternoon>afternoons?|after lunch|lunch ?time)"
    r"|(?P<evening>evenings?|tonight|nights?|after work))\b"
    r"|\b(?:today|tomorrow|\w+day)\s+(?P<meridiem>[ap]m)\b",
    re.IGNORECASE,
)

Reader = Callable[[re.Match[str], str | None], dt.time | None]


def find_part_of_day(text: str) -> Found[str] | None:
    """ "morning", "afternoon" or "evening" when the message names a part of the day."""
    for match in PART_OF_DAY.finditer(text):
        if match["meridiem"]:
            part = "morning" if match["meridiem"].lower() == "am" else "afternoon"
        else:
            part = next(name for name in ("morning", "afternoon", "evening") if match[name])
        return Found(part, match.start(), match.end())
    return None


def find_times(
    text: str, *, part_of_day: Found[str] | None = None, expecting: str | None = None
) -> list[Found[dt.time]]:
    """Every clock time written in the text, in reading order; each piece of text is read at most once."""
    part = part_of_day.value if part_of_day else None
    found: list[Found[dt.time]] = []
    for pattern, read in _READERS:
        for match in pattern.finditer(text):
            value = read(match, part)
            if value is not None:
                found.append(Found(value, match.start(), match.end()))
        text = blank(text, *found)
    hour_before = BEFORE_PART_OF_DAY.search(text[: part_of_day.start]) if part_of_day else None
    if hour_before and (value := _clock(hour_before["hour"], 0, None, part)):
        found.append(Found(value, hour_before.start("hour"), hour_before.end("hour")))
    if not found and expecting == "time":
        # Asked "what time?", a lone "3", "ten" or "530" is the time.
        for pattern in (LONE_RUN_TOGETHER, LONE_NUMBER):
            lone = list(pattern.finditer(text))
            minute = int(lone[0].groupdict().get("minute") or 0) if len(lone) == 1 else 0
            if len(lone) == 1 and (value := _clock(lone[0]["hour"], minute, None, part)):
                found.append(Found(value, lone[0].start(), lone[0].end()))
                break
    return sorted(found, key=lambda item: item.start)


# "Friday 4", "tomorrow at 10.30": a bare hour straight after the day it belongs to.
HOUR_AFTER_DAY = re.compile(
    rf"[\s,]*(?:at\s+|@\s*)?{HOUR}(?:[:.](?P<minute>[0-5]\d))?\b(?![:./]){NOT_COUNTING}", re.IGNORECASE
)


def find_hour_after_day(text: str, days: list[Found]) -> Found[dt.time] | None:
    """A bare hour written right after one of the found dates ("Book haircut Friday 4")."""
    for day in days:
        match = HOUR_AFTER_DAY.match(text, day.end)
        if match and (value := _clock(match["hour"], int(match["minute"] or 0), None, None)):
            return Found(value, match.start("hour"), match.end())
    return None


def find_time(
    text: str, *, part_of_day: Found[str] | None = None, expecting: str | None = None
) -> Found[dt.time] | None:
    """The time the customer means: see the module docstring for bare hours and several times."""
    return intended(find_times(text, part_of_day=part_of_day, expecting=expecting), text=text)


def _noon(match: re.Match[str], part_of_day: str | None) -> dt.time:
    return dt.time(0, 0) if match["midnight"] else dt.time(12, 0)


def _past_or_to(match: re.Match[str], part_of_day: str | None) -> dt.time | None:
    minutes = word_value(MINUTES_BEFORE_OR_AFTER, match["minutes"])
    on_the_hour = _clock(match["hour"], 0, match["meridiem"], part_of_day)
    if on_the_hour is None:
        return None
    moment = dt.datetime.combine(dt.date(2000, 1, 2), on_the_hour)
    before = match["direction"].lower() in {"to", "till", "til", "before"}
    return (moment + dt.timedelta(minutes=-minutes if before else minutes)).time()


def _hour_and_minute(match: re.Match[str], part_of_day: str | None) -> dt.time | None:
    hour, minute = (
        match["hour"] or match.groupdict().get("hour2"),
        match["minute"] or match.groupdict().get("minute2"),
    )
    return _clock(hour, int(minute), match.groupdict().get("meridiem"), part_of_day)


def _half_past(match: re.Match[str], part_of_day: str | None) -> dt.time | None:
    return _clock(match["hour"], 30, None, part_of_day)


def _spoken_minutes(match: re.Match[str], part_of_day: str | None) -> dt.time | None:
    minute = word_value(MINUTE_WORDS, match["minute_words"])
    return _clock(match["hour"], minute, match["meridiem"], part_of_day)


def _on_the_hour(match: re.Match[str], part_of_day: str | None) -> dt.time | None:
    return _clock(match["hour"], 0, match.groupdict().get("meridiem"), part_of_day)


_READERS: list[tuple[re.Pattern[str], Reader]] = [
    (NOON, _noon),
    (PAST_OR_TO, _past_or_to),
    (COLON, _hour_and_minute),
    (DOTTED, _hour_and_minute),
    (DOTTED_AFTER_TIME_WORD, _hour_and_minute),
    (DOTTED_AFTERNOON, _hour_and_minute),
    (SPACED_MINUTES, _hour_and_minute),
    (HALF_HOUR, _half_past),
    (SPOKEN_MINUTES, _spoken_minutes),
    (RUN_TOGETHER, _hour_and_minute),
    (HOUR_AND_MERIDIEM, _on_the_hour),
    (ROUGH_HOUR, _on_the_hour),
    (AFTER_TIME_WORD, _on_the_hour),
]


def clock(spoken_hour: str, minute: int, meridiem: str | None, part_of_day: str | None) -> dt.time | None:
    """The time an hour (digits or words), minutes and perhaps am/pm stand for, read for business hours."""
    return _clock(spoken_hour, minute, meridiem, part_of_day)


def _clock(spoken_hour: str, minute: int, meridiem: str | None, part_of_day: str | None) -> dt.time | None:
    hour = number_value(spoken_hour.lower(), words=HOUR_WORDS)
    if minute > 59 or hour > 23 or (meridiem and hour == 0):
        return None
    if meridiem and hour <= 12:
        afternoon = meridiem.lower().startswith("p")
        hour = hour % 12 + (12 if afternoon else 0)
    elif not meridiem and 1 <= hour <= 11:
        hour = _business_hour(hour, part_of_day)
    return dt.time(hour, minute)


def _business_hour(hour: int, part_of_day: str | None) -> int:
    """A 1-11 hour without am/pm, read as an hour the business is open."""
    if part_of_day == "morning" and 5 <= hour <= 11:
        return hour
    if part_of_day in {"afternoon", "evening"} and hour <= 11 and (part_of_day == "evening" or hour <= 6):
        return hour + 12
    return hour + 12 if hour <= 7 else hour
