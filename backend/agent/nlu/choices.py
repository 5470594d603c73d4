"""Answers to "which one?" when the agent listed several bookings: an ordinal, "both", or a plain no."""

from __future__ import annotations

import re

ORDINALS = {
    "first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1,
}
# "the first one", "2nd"; not "the first time", "last week" or "first thing".
ORDINAL = re.compile(
    rf"\b({'|'.join(ORDINALS)})\b(?! (?:time|week|month|year|thing|visit|name)\b)", re.IGNORECASE
)
EVERY_ONE = re.compile(
    r"\b(?:both|all(?: of them| of those| three| four)?|every one|each of them)\b", re.IGNORECASE
)
DECLINE = re.compile(
    r"^\W*(?:no|nope|nah|neither|none|never ?mind|nvm|not (?:now|anymore)|keep (?:it|them)|leave (?:it|them)"
    r"|forget (?:it|that)|don't|do not)\b",
    re.IGNORECASE,
)


def find_ordinal(text: str) -> int | None:
    """The position picked ("the second one" → 1, "the last" → -1), or None."""
    match = ORDINAL.search(text)
    return ORDINALS[match.group(1).lower()] if match else None


def means_every_one(text: str) -> bool:
    """Whether the answer picks all of the listed ones ("both", "all of them")."""
    return EVERY_ONE.search(text) is not None


def declines(text: str) -> bool:
    """Whether the answer says no ("no thanks", "never mind", "keep it")."""
    return DECLINE.search(text) is not None
