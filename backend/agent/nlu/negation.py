"""Days the customer rules out: "any day but Monday", "not Friday", "I can't do Tuesday", "Monday doesn't work".

Only the words right next to a date count, so "not sure, maybe Friday" still asks for Friday and "I can't do
Friday but Monday works" asks for Monday with Friday ruled out. Whether a ruled-out day matters is the policy's
call: for a new booking it is never the day to search ("any day but Monday" searches the other days), while
"I can't make it Friday" names the booking to cancel.
"""

from __future__ import annotations

import datetime as dt
import re

from backend.agent.nlu.text import Found

# Right before the date: "any day but", "except", "other than", "not", "can't do", "busy on".
RULED_OUT_BEFORE = re.compile(
    r"(?:\b(?:any ?day|anytime|any time|anything|whenever|any other day|every ?day|all week)\s+(?:but|except)"
    r"|\b(?:except(?:\s+for)?|other\s+than|apart\s+from|besides|excluding|but\s+not|not|no)"
    r"|\b(?:can't|cannot|can\s+not|couldn't|won't\s+be\s+able\s+to)\s+(?:do|make|come(?:\s+in)?|manage)(?:\s+it)?"
    r"|\b(?:busy|away|working|unavailable|not\s+available|not\s+free|not\s+around|out\s+of\s+town))"
    r"\s+(?:on\s+|the\s+|for\s+)?$",
    re.IGNORECASE,
)
# Right after the date: "Monday doesn't work", "Friday's no good", "Tuesday is out".
RULED_OUT_AFTER = re.compile(
    r"^[\s,]*(?:(?:is|'s|are)\s+)?(?:no\s+good|not\s+good|bad|out|impossible|a\s+no|not\s+possible|not\s+an\s+option"
    r"|(?:doesn't|does\s+not|won't|will\s+not|wouldn't|isn't|is\s+not|can't)\s+(?:really\s+)?"
    r"(?:work|suit|do|good|possible))\b",
    re.IGNORECASE,
)
# A quick test that saves looking at each date when nothing in the message rules anything out.
ANY_RULING_OUT = re.compile(
    r"\b(?:but|except|other|apart|besides|excluding|not|no|can't|cannot|couldn't|won't|busy|away|working"
    r"|unavailable|out|doesn't|does|isn't|is|bad|impossible)\b|'s\b",
    re.IGNORECASE,
)


def ruled_out(text: str, dates: list[Found[dt.date]]) -> list[Found[dt.date]]:
    """The dates the text rules out, of those found in it (spans in the same text)."""
    if not dates or not ANY_RULING_OUT.search(text):
        return []
    return [
        found for found in dates
        if RULED_OUT_BEFORE.search(text[: found.start]) or RULED_OUT_AFTER.match(text[found.end :])
    ]
