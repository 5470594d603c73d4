"""Numbers as people say them: voice transcripts spell out hours, minutes, digits and ordinals."""

from __future__ import annotations

import re

UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
HOUR_WORDS = {word: value for value, word in enumerate((*UNITS, "ten", "eleven", "twelve"), start=1)}
DIGIT_WORDS = {"zero": 0, "oh": 0, "o": 0} | {word: value for value, word in enumerate(UNITS, start=1)}
MINUTE_WORDS = {
    "oh five": 5,
    "five": 5,
    "ten": 10,
    "fifteen": 15,
    "twenty": 20,
    "twenty five": 25,
    "thirty": 30,
    "thirty five": 35,
    "forty": 40,
    "forty five": 45,
    "fifty": 50,
    "fifty five": 55,
}

_ORDINAL_UNITS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_ORDINAL_TEENS = (
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
)
ORDINAL_WORDS = (
    {word: value for value, word in enumerate(_ORDINAL_UNITS, start=1)}
    | {word: value for value, word in enumerate(_ORDINAL_TEENS, start=10)}
    | {"twentieth": 20, "thirtieth": 30, "thirty first": 31}
    | {f"twenty {word}": 20 + value for value, word in enumerate(_ORDINAL_UNITS, start=1)}
)


def alternatives(words: dict[str, int] | tuple[str, ...]) -> str:
    """A regex alternation of the words, longest first so "twenty five" wins over "twenty"."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(word).replace(r"\ ", r"[\s-]") for word in ordered)


def word_value(words: dict[str, int], spoken: str) -> int:
    """The value of a spoken number, whatever spaces or hyphens join its words."""
    return words[re.sub(r"[\s-]+", " ", spoken.lower())]


def number_value(spoken: str, *, words: dict[str, int]) -> int:
    """The value of a number written in digits or in words."""
    return int(spoken) if spoken.isdigit() else word_value(words, spoken)
