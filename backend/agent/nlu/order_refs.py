"""Order and booking references such as "A-10293", "order #10293" or "booking ref XK92JD"."""

from __future__ import annotations

import re

from backend.agent.nlu.text import Found

LETTERS_AND_DIGITS = re.compile(r"(?<![\w-])(?P<letters>[A-Za-z]{1,3})-?(?P<digits>\d{4,8})(?![\w-])")
AFTER_REFERENCE_WORD = re.compile(
    r"\b(?:order|booking|confirmation|reference|ref|ticket|invoice|receipt)"
    r"(?:\s+(?:number|no\.?|num|code|id))?\s*(?:is\s+)?[:#]?\s*#?"
    r"(?P<reference>(?=[A-Za-z-]*\d)[A-Za-z0-9-]{4,12})\b",
    re.IGNORECASE,
)
HASH_NUMBER = re.compile(r"(?<!\w)#(?P<reference>\d{4,10})\b")


def find_order_ref(text: str) -> Found[str] | None:
    """The first order or booking reference, upper-cased, with a hyphen after a letter prefix."""
    match = LETTERS_AND_DIGITS.search(text)
    if match:
        return Found(f"{match['letters'].upper()}-{match['digits']}", match.start(), match.end())
    for pattern in (AFTER_REFERENCE_WORD, HASH_NUMBER):
        match = pattern.search(text)
        if match:
            start = match.start("reference") - _hash_before(text, match)
            return Found(match["reference"].upper(), start, match.end())
    return None


def _hash_before(text: str, match: re.Match[str]) -> int:
    start = match.start("reference")
    return 1 if start and text[start - 1] == "#" else 0
