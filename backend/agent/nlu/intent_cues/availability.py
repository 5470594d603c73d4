"""Asking what is free or when the business is open."""

from __future__ import annotations

import re

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, HINT, STRONG, cue, words

NOT_ASKING_IF_OPEN = r"\bopen (?:a|an|the|up a) (?:ticket|case|account|claim|link|app|email|box|package)\b"

SAYING_THEY_ARE_FREE = (
    r"\b(?:i'm|i am|i'll be|we're|we are|i'd be) (?:\w+ )?free\b|\bfeel free\b|\bfor free\b|\bfree of\b"
)

WAITED_HOURS = r"\b(?:waited|waiting|for) (?:\w+ )?(?:\d+|two|three|several) hours\b"

ASKING_WHAT_IS_FREE = (
    cue(
        Intent.AVAILABILITY,
        STRONG,
        words(
            "available",
            "availability",
            "availabilities",
            r"openings?",
            r"vacanc\w*",
            "walk[ -]?ins?",
            "fully booked",
            "booked up",
        ),
        r"\b(?:opening|business|office|store|shop|working|open) hours\b",
        r"\bwhat time (?:do|does|are|is) (?:you|it|they|the \w+) (?:guys )?(?:open|close|closing|opening)\b",
        r"\b(?:are (?:you|y'all)|you're|you are) (?:guys )?(?:still )?(?:open|closed)\b",
        r"\bwhen (?:do|are) you (?:guys )?(?:open|close)\b",
    ),
    cue(
        Intent.AVAILABILITY,
        STRONG,
        r"\bdo (?:you|y'all) (?:guys )?have (?:anything|something|a (?:slot|spot|time|space|gap|free)|any "
        r"(?:time|times|slots?|spots?|room|space|openings?|appointments?))\b",
        r"\b(?:any|free|open) (?:slots?|spots?|space|room)\b",
        r"\b(?:is|are) (?:there )?(?:anything|any|something) (?:free|open|left)\b",
        r"\bwhen (?:can|could) (?:i|we) (?:come|get|see)\b",
        words("earliest", "soonest", "next available", "first available", "next opening", "next free"),
    ),
    cue(Intent.AVAILABILITY, CLEAR, words("open", "close", "closed", "closing"), unless=NOT_ASKING_IF_OPEN),
    cue(Intent.AVAILABILITY, CLEAR, r"\bhours\b", unless=WAITED_HOURS),
    cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\bfree\b|\bwhat (?:times|days|slots)\b|\bhow (?:late|early) (?:are|do|can|is)\b",
        unless=SAYING_THEY_ARE_FREE,
    ),
    cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\bdo (?:you|y'all) (?:guys )?(?:do|offer|have|provide)\b",
        needs_service=True,
    ),
    cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\b(?:possible|able) to (?:come|get) in\b",
        r"\bwhat time\b(?! is (?:it|my))",
    ),
    # "Anything around 3pm?" follows up on a request already made.
    cue(
        Intent.AVAILABILITY,
        HINT,
        r"\b(?:anything|something|any) "
        r"(?:around|at|after|before|on|for|in the|earlier|later|sooner|closer)\b",
    ),
)

# Of the availability questions, those about opening hours ("are you open Sunday?", "walk-ins?"): answered
# with the hours, while "anything free Tuesday morning?" is answered with open slots.
ABOUT_HOURS = re.compile(
    r"\b(?:opening|business|office|store|shop|working|open) hours\b|\bhours\b(?! (?:ago|later|from now))"
    r"|\bwhat time (?:do|does|are|is) (?:you|it|they|the \w+) (?:guys )?(?:open|close|closing|opening)\b"
    r"|\b(?:are (?:you|y'all)|you're|you are) (?:guys )?(?:still )?(?:open|closed)\b"
    r"|\b(?:when|how late|how early|till when|until when) (?:do|are|is) (?:you|it|the \w+) (?:guys "
    r")?(?:open|close)\b"
    r"|\bwalk[ -]?ins?\b|\b(?:open|close|closed|closing) "
    r"(?:on|at|today|tomorrow|tonight|this|next|late|early|\w+day)\b"
    r"|\bdo you (?:guys )?(?:open|close)\b|\bclosing time\b|\bopening time\b"
)
