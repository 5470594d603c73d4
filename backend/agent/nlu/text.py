"""Text clean-up shared by the extractors: one spelling per word, no fillers or emoji, found spans blanked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process

T = TypeVar("T")


@dataclass(frozen=True)
class Found(Generic[T]):
    """A value read from the text and where it was written, so later extractors do not read it twice."""

    value: T
    start: int
    end: int


# Emoji that carry an intent; every other symbol only gets in the way of the patterns.
MEANINGFUL_EMOJI = {"🙏": " thanks ", "👋": " hi ", "👍": " ok "}
INVISIBLE = {"\u200d", "\ufe0f", "\ufe0e"}

# Voice transcripts hesitate; "uh-huh" is a yes, the rest carries nothing.
AGREEMENT_NOISE = re.compile(r"\b(?:uh[- ]huh|mm[- ]hmm|mhm)\b", re.IGNORECASE)
FILLERS = re.compile(r"\b(?:u+m+|u+h+|e+r+m+|e+r+|h+m+|mm+|a+h+)\b,?", re.IGNORECASE)

SPELLINGS = {
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmw": "tomorrow",
    "tmrow": "tomorrow",
    "tomoz": "tomorrow",
    "2morrow": "tomorrow",
    "2moro": "tomorrow",
    "2mrw": "tomorrow",
    "tonite": "tonight",
    "2nite": "tonight",
    "2day": "today",
    "tdy": "today",
    "appt": "appointment",
    "appts": "appointments",
    "apt": "appointment",
    "apmt": "appointment",
    "cancle": "cancel",
    "cancell": "cancel",
    "cancl": "cancel",
    "cxl": "cancel",
    "canx": "cancel",
    "resched": "reschedule",
    "reschedual": "reschedule",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "thnks": "thanks",
    "thks": "thanks",
    "tx": "thanks",
    "ty": "thanks",
    "tysm": "thanks",
    "tyvm": "thanks",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "u": "you",
    "ur": "your",
    "r": "are",
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "hasnt": "hasn't",
    "havent": "haven't",
    "whats": "what's",
    "whens": "when's",
    "youre": "you're",
    "thats": "that's",
    "theres": "there's",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "lemme": "let me",
    "gimme": "give me",
    "avail": "available",
    "hrs": "hours",
    "wknd": "weekend",
    "b4": "before",
    "recieve": "receive",
    "recieved": "received",
    "wierd": "weird",
    "becuase": "because",
}
SPELLING = re.compile(r"(?<![\w'’-])(" + "|".join(map(re.escape, SPELLINGS)) + r")(?![\w'’-])", re.IGNORECASE)

# Long words the rules depend on; a fuzzy match (rapidfuzz) puts their misspellings right ("apointment",
# "tommorow", "wensday").
KEYWORDS = (
    "appointment",
    "appointments",
    "reschedule",
    "tomorrow",
    "tonight",
    "available",
    "availability",
    "cancellation",
    "representative",
    "receptionist",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Real words that sit close to a keyword and must stay as written.
REAL_WORDS = frozenset(
    {
        "schedule",
        "scheduled",
        "schedules",
        "scheduling",
        "rescheduled",
        "rescheduling",
        "reschedules",
        "canceled",
        "cancelled",
        "canceling",
        "cancelling",
        "cancels",
        "unavailable",
        "availabilities",
        "disappointment",
        "disappointments",
        "disappointed",
        "disappointing",
        "apartment",
        "appointed",
        "birthday",
        "holiday",
        "holidays",
        "yesterday",
        "everyday",
        "someday",
        "midday",
        "today",
        "payday",
        "member",
        "members",
        "remember",
        "number",
        "numbers",
        "tomorrows",
        "mondays",
        "tuesdays",
        "wednesdays",
        "thursdays",
        "fridays",
        "saturdays",
        "sundays",
        "marches",
        "marched",
        "marching",
        "tonights",
        "mundane",
        "augusta",
        "augustin",
        "augustine",
        "augusto",
    }
)
WORD = re.compile(r"[A-Za-z]{6,}")


def normalise(text: str) -> str:
    """The message with emoji, fillers and known misspellings cleaned up; case is kept for names."""
    # Composed accents: "é" typed as "e" + U+0301 is one letter, as names in any script need.
    text = _without_symbols(unicodedata.normalize("NFC", text)).replace("’", "'").replace("‘", "'")
    text = AGREEMENT_NOISE.sub("yes", text)
    text = FILLERS.sub(" ", text)
    text = SPELLING.sub(lambda match: SPELLINGS[match.group(1).lower()], text)
    text = WORD.sub(_corrected_keyword, text)
    return re.sub(r"\s+", " ", text).strip()


def blank(text: str, *found: Found | None) -> str:
    """The text with each found span replaced by spaces, so positions stay valid and nothing is read twice."""
    for item in found:
        if item is not None:
            text = text[: item.start] + " " * (item.end - item.start) + text[item.end :]
    return text


def blank_all(text: str, pattern: re.Pattern[str]) -> str:
    """The text with every match of the pattern replaced by spaces."""
    return pattern.sub(lambda match: " " * len(match.group(0)), text)


def _without_symbols(text: str) -> str:
    characters = []
    for character in text:
        if character in MEANINGFUL_EMOJI:
            characters.append(MEANINGFUL_EMOJI[character])
        elif character in INVISIBLE or unicodedata.category(character) in {"So", "Sk", "Cs", "Co"}:
            characters.append(" ")
        else:
            characters.append(character)
    return "".join(characters)


def _corrected_keyword(match: re.Match[str]) -> str:
    word = match.group(0)
    return _closest_keyword(word.lower()) or word


@lru_cache(maxsize=8192)
def _closest_keyword(lowered: str) -> str | None:
    """The keyword this word misspells (Indel similarity >= 85 of 100), or None."""
    if lowered in KEYWORDS or lowered in REAL_WORDS:
        return None
    close = process.extractOne(lowered, KEYWORDS, scorer=fuzz.ratio, score_cutoff=85)
    return close[0] if close else None


# A value after these words is the one being replaced ("move it from Friday to Monday"), not the one wanted.
REPLACED = re.compile(r"\b(?:from|instead of|rather than|not)\s+(?:on\s+|at\s+|the\s+)*$", re.IGNORECASE)


def intended(candidates: list[Found[T]], *, text: str) -> Found[T] | None:
    """Of several values, the one the customer wants: the last mentioned, passing over any being replaced."""
    wanted = [found for found in candidates if not REPLACED.search(text[: found.start])] or candidates
    return max(wanted, key=lambda found: found.start, default=None)
