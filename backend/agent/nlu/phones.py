"""Phone numbers, normalised to E.164 ("+15551234567"); numbers without a country code are North American."""

from __future__ import annotations

import re

from backend.agent.nlu.numbers import DIGIT_WORDS, alternatives
from backend.agent.nlu.text import Found

DEFAULT_COUNTRY_CODE = "1"
# Digit groups as people write them: "(555) 123-4567", "555.123.4567", "+44 20 7946 0958".
DIGIT_GROUP = re.compile(r"(?<![\w/:])\+?\(?\d+\)?(?![\w/:])")
GROUP_SEPARATOR = re.compile(r"^[\s.-]{0,2}$")
# Voice transcripts spell numbers out: "five five five one two three ...".
SPOKEN_DIGITS = re.compile(rf"\b(?:(?:{alternatives(DIGIT_WORDS)})\b[\s,-]*){{7,}}", re.IGNORECASE)
SPOKEN_DIGIT = re.compile(rf"\b(?:{alternatives(DIGIT_WORDS)})\b", re.IGNORECASE)


def find_phone(text: str) -> Found[str] | None:
    """The first phone number in the text, written with digits or spelled out."""
    return _written_phone(text) or _spoken_phone(text)


def e164(digits: str, *, international: bool = False) -> str | None:
    """The number in E.164 form, or None when it cannot be a phone number."""
    if international:
        return f"+{digits}" if 8 <= len(digits) <= 15 else None
    if len(digits) == 10 and digits[0] not in "01":
        return f"+{DEFAULT_COUNTRY_CODE}{digits}"
    if len(digits) == 11 and digits.startswith(DEFAULT_COUNTRY_CODE) and digits[1] not in "01":
        return f"+{digits}"
    return None


def _written_phone(text: str) -> Found[str] | None:
    groups = list(DIGIT_GROUP.finditer(text))
    for first in range(len(groups)):
        best = None
        digits = ""
        for last in range(first, len(groups)):
            between = text[groups[last - 1].end() : groups[last].start()] if last > first else ""
            if not GROUP_SEPARATOR.match(between):
                break
            digits += re.sub(r"\D", "", groups[last].group(0))
            number = e164(digits, international=groups[first].group(0).startswith("+"))
            if number:
                best = Found(number, groups[first].start(), groups[last].end())
            if len(digits) >= 15:
                break
        if best:
            return best
    return None


def _spoken_phone(text: str) -> Found[str] | None:
    for match in SPOKEN_DIGITS.finditer(text):
        digits = "".join(str(DIGIT_WORDS[word.lower()]) for word in SPOKEN_DIGIT.findall(match.group(0)))
        number = e164(digits)
        if number:
            return Found(number, match.start(), match.end())
    return None
