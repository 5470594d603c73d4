"""Phone numbers in customer messages, in E.164 ("+15551234567"); read by phonenumbers
(backend.core.phone_numbers).

Numbers without a country code are read in the default region (North America). Voice transcripts spell the
digits out ("five five five one two three ..."): those words are turned into digits first.
"""

from __future__ import annotations

import re

from backend.agent.nlu.numbers import DIGIT_WORDS, alternatives
from backend.agent.nlu.text import Found
from backend.core.phone_numbers import e164, find_phone_numbers

SPOKEN_DIGITS = re.compile(rf"\b(?:(?:{alternatives(DIGIT_WORDS)})\b[\s,-]*){{7,}}", re.IGNORECASE)
SPOKEN_DIGIT = re.compile(rf"\b(?:{alternatives(DIGIT_WORDS)})\b", re.IGNORECASE)


def find_phone(text: str) -> Found[str] | None:
    """The first phone number in the text, written with digits or spelled out."""
    return _written_phone(text) or _spoken_phone(text)


def _written_phone(text: str) -> Found[str] | None:
    for start, end, number in find_phone_numbers(text):
        return Found(number, start, end)
    return None


def _spoken_phone(text: str) -> Found[str] | None:
    for match in SPOKEN_DIGITS.finditer(text):
        digits = "".join(str(DIGIT_WORDS[word.lower()]) for word in SPOKEN_DIGIT.findall(match.group(0)))
        number = e164(digits)
        if number:
            return Found(number, match.start(), match.end())
    return None
