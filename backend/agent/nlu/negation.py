"""What the customer rules out: days ("any day but Monday", "not Friday", "I can't do Tuesday", "Monday
doesn't work"), times ("not at 9", "3pm is no good") and parts of the day ("but not in the morning").

Only the words right next to a date or time count, so "not sure, maybe Friday" still asks for Friday and "I
can't do Friday but Monday works" asks for Monday with Friday ruled out. Whether a ruled-out day matters is
the policy's call: for a new booking it is never the day to search ("any day but Monday" searches the other
days), while "I can't make it Friday" names the booking to cancel.
"""

from __future__ import annotations

import re
from typing import TypeVar

from backend.agent.nlu.text import Found

T = TypeVar("T")

# Right before the date: "any day but", "except", "other than", "not", "can't do", "busy on".
RULED_OUT_BEFORE = re.compile(
    r"(?:\b(?:any ?day|anytime|any time|anything|whenever|any other day|every ?day|all week)\s+(?:but|except)"
    r"|\b(?:except(?:\s+for)?|other\s+than|apart\s+from|besides|excluding|but\s+not|not|no)"
    r"|\b(?:can't|cannot|can\s+not|couldn't|won't\s+be\s+able\s+to)\s+(?:do|make|come(?:\s+in)?|manage)(?:\s+it)?"
    r"|\b(?:busy|away|working|unavailable|not\s+available|not\s+free|not\s+around|out\s+of\s+town))"
    r"\s+(?:(?:on|the|for|at|in|around)\s+)*$",
    re.IGNORECASE,
)
# Right after the date: "Monday doesn't work", "Friday's no good", "Tuesday is out".
RULED_OUT_AFTER = re.compile(
    r"^[\s,]*(?:(?:is|'s|are)\s+)?(?:no\s+good|not\s+good|bad|out|impossible|a\s+no|not\s+possible|not\s+an\s+option"
    r"|(?:doesn't|does\s+not|won't|will\s+not|wouldn't|isn't|is\s+not|can't)\s+(?:really\s+)?"
    r"(?:work|suit|do|good|possible))\b",
    re.IGNORECASE,
)
# A value read with the word that makes it a bound ("before 10", "after 3"): negating it moves the bound.
RANGE = re.compile(r"(?:before|after|by|until|till|til|from|between|earlier|later)\b", re.IGNORECASE)
# A quick test that saves looking at each date when nothing in the message rules anything out.
ANY_RULING_OUT = re.compile(
    r"\b(?:but|except|other|apart|besides|excluding|not|no|can't|cannot|couldn't|won't|busy|away|working"
    r"|unavailable|out|doesn't|does|isn't|is|bad|impossible)\b|'s\b",
    re.IGNORECASE,
)


# What is left of the day once a part of it is ruled out, as far as opening hours go ("not in the morning").
OTHER_PART_OF_DAY = {"morning": "afternoon", "afternoon": "morning"}


def ruled_out(text: str, found: list[Found[T]]) -> list[Found[T]]:
    """The values the text rules out, of those found in it (spans in the same text)."""
    if not found or not ANY_RULING_OUT.search(text):
        return []
    return [item for item in found if is_ruled_out(text, item)]


def is_ruled_out(text: str, found: Found[object]) -> bool:
    """Whether the words right before or after this value rule it out ("not before 10" is a range, not 10)."""
    if RANGE.match(text, found.start):
        return False
    return bool(RULED_OUT_BEFORE.search(text[: found.start]) or RULED_OUT_AFTER.match(text[found.end :]))


def part_of_day_meant(text: str, part: Found[str] | None) -> Found[str] | None:
    """The part of the day asked for: the other one when this one is ruled out, or none ("not in the
    evening")."""
    if part is None or not is_ruled_out(text, part):
        return part
    other = OTHER_PART_OF_DAY.get(part.value)
    return Found(other, part.start, part.end) if other else None
