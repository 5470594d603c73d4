"""Times a customer is open to rather than one clock time: "between 2 and 4", "after 3", "before 11", "3 or
4".

A window is never booked as it stands: the agent offers the open times inside it and the customer picks one.
Each end is read like a time (times._clock: a bare 1-7 is afternoon, 8-11 morning, "2 and 4pm" shares the pm).

- "between 2 and 4", "from 2 to 4", "2-4pm": starts from 14:00, before 16:00.
- "after 3", "any time after 3", "3 or later", "from 3 on(wards)", "not before 3": starts from 15:00.
- "before 11", "no later than 11", "earlier than 11", "not after 11": starts before 11:00.
- "3 or 4", "at 3 or 3:30": exactly one of those times.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from backend.agent.nlu.numbers import HOUR_WORDS, alternatives
from backend.agent.nlu.text import Found
from backend.agent.nlu.times import NOT_COUNTING, clock

MERIDIEM = r"[ap]\.?\s?m\b\.?"


def _end(name: str) -> str:
    """One end of a window: "2", "2pm", "2:30", "2.30 pm", "two", "noon"."""
    return (
        rf"(?:(?P<{name}_noon>noon|midday)|(?P<{name}_hour>\d{{1,2}}|{alternatives(HOUR_WORDS)})"
        rf"(?:[:.](?P<{name}_minute>[0-5]\d))?(?:\s*(?P<{name}_meridiem>{MERIDIEM}))?)"
    )


BETWEEN = re.compile(
    # "move it from 3 to 5" names the time being left, not a window.
    rf"\b(?:between|(?<!it )(?<!me )(?<!that )(?<!this )(?<!appointment )(?<!booking )from)\s+"
    rf"(?:like\s+|about\s+)?{_end('a')}\s*(?:and|to|till|til|until|-|–)\s*{_end('b')}\b(?!:)"
    rf"{NOT_COUNTING}",
    re.IGNORECASE,
)
# "2-4pm", "2 to 4pm": only with am/pm at the end, or "2 to 4" would be a count of people.
DASHED = re.compile(
    rf"(?<![\d/:.-])(?<!from )\b{_end('a')}\s*(?:-|–|to)\s*{_end('b')}(?<=m|\.)", re.IGNORECASE
)
FROM_ON = re.compile(
    r"\b(?:(?:any\s*time|anything|something|sometime)\s+)?(?<!quarter )(?<!half )(?<!ten )(?<!five "
    r")(?<!twenty )"
    rf"(?:(?<!not )after|(?<!no )(?<!not )later\s+than|past|from|not\s+before|no\s+earlier\s+than)\s+"
    rf"(?:like\s+|about\s+)?{_end('a')}"
    rf"(?P<onwards>\s+on(?:wards)?)?\b(?!:){NOT_COUNTING}"
    rf"|\b{_end('b')}\s+(?:or\s+later|or\s+after|onwards|and\s+later)\b",
    re.IGNORECASE,
)
BEFORE = re.compile(
    r"\b(?:(?<!not )before|no\s+later\s+than|not\s+after|(?<!no "
    rf")earlier\s+than)\s+(?:like\s+|about\s+)?{_end('a')}\b(?!:){NOT_COUNTING}",
    re.IGNORECASE,
)
# "3 or 4": two times said as alternatives; after a time word, with am/pm, or as the whole answer.
EITHER = re.compile(
    rf"(?P<cue>\b(?:at|around|about|maybe|say)\s+)?(?<![\d/:.$-])\b{_end('a')}\s+or\s+{_end('b')}\b(?!:){NOT_COUNTING}",
    re.IGNORECASE,
)
COUNTED_BEFORE = re.compile(r"\b(?:for|of|with|than|about|are|be)\s+$", re.IGNORECASE)
WHOLE_ANSWER = re.compile(
    r"^\W*(?:(?:maybe|either|how about|what about|can you do|could you do)\s+)?$", re.IGNORECASE
)


@dataclass(frozen=True)
class TimeWindow:
    """Start times the customer accepts: from `earliest` (inclusive) to `latest` (exclusive), or one of
    `choices`."""

    earliest: dt.time | None = None
    latest: dt.time | None = None
    choices: tuple[dt.time, ...] = ()

    def admits(self, start: dt.time) -> bool:
        if self.choices:
            return start in self.choices
        return (self.earliest is None or start >= self.earliest) and (
            self.latest is None or start < self.latest
        )


def find_time_window(
    text: str, *, part_of_day: str | None = None, expecting: str | None = None
) -> Found[TimeWindow] | None:
    """The first window of start times written in the text, if any."""
    for match in BETWEEN.finditer(text):
        if window := _range(match, part_of_day):
            return Found(window, match.start(), match.end())
    for match in DASHED.finditer(text):
        if window := _range(match, part_of_day):
            return Found(window, match.start(), match.end())
    for match in FROM_ON.finditer(text):
        side = "a" if match["a_hour"] or match["a_noon"] else "b"
        if match.group(0).lower().startswith("from") and not match["onwards"]:
            continue  # "from 3" alone is the time being moved away from ("move it from 3 to 5")
        if (start := _read(match, side, part_of_day)) is not None:
            return Found(TimeWindow(earliest=start), match.start(), match.end())
    for match in BEFORE.finditer(text):
        if (end := _read(match, "a", part_of_day)) is not None:
            return Found(TimeWindow(latest=end), match.start(), match.end())
    for match in EITHER.finditer(text):
        said_as_time = match["cue"] or match["a_meridiem"] or match["b_meridiem"] or match["a_minute"]
        last_words = not text[match.end() :].strip(" ?!.,")
        alone = WHOLE_ANSWER.match(text[: match.start()]) and last_words
        # "beard trim friday, 3 or 4?": closing the request, after the day; "a table for 3 or 4" counts
        # people.
        closing = last_words and not COUNTED_BEFORE.search(text[: match.start()])
        if not (said_as_time or alone or closing or expecting == "time"):
            continue
        first, second = (
            _read(match, "a", part_of_day, shared=match["b_meridiem"]),
            _read(match, "b", part_of_day),
        )
        if first is not None and second is not None and first != second:
            return Found(TimeWindow(choices=(first, second)), match.start(), match.end())
    return None


def _range(match: re.Match[str], part_of_day: str | None) -> TimeWindow | None:
    last = _read(match, "b", part_of_day, shared=match["a_meridiem"])
    first = _read(match, "a", part_of_day, shared=match["b_meridiem"])
    if first is not None and last is not None and first >= last:
        first = _read(match, "a", part_of_day)  # "between 11 and 1pm": the pm is the end's alone
    if first is None or last is None or last <= first:
        return None
    return TimeWindow(earliest=first, latest=last)


def _read(
    match: re.Match[str], side: str, part_of_day: str | None, *, shared: str | None = None
) -> dt.time | None:
    if match[f"{side}_noon"]:
        return dt.time(12, 0)
    hour = match[f"{side}_hour"]
    if hour is None:
        return None
    meridiem = match[f"{side}_meridiem"]
    if meridiem is None and shared and hour.isdigit() and int(hour) <= 12:
        # "2 and 4pm", "9 or 10am": one am/pm for both ends, unless it would put the start after the end.
        meridiem = shared
    return clock(hour, int(match[f"{side}_minute"] or 0), meridiem, part_of_day)
