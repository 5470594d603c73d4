"""What every cue module shares: the Cue type, its strengths, and the phrase fragments several families use.

Plain text is lower case with punctuation turned into spaces and single spaces between words, so a space in a
pattern stands for any run of whitespace or punctuation in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.agent.intents import Intent

STRONG = 0.9
CLEAR = 0.7
# Implied rather than said ("I won't be able to make it"): the message's intent, but not clear enough to act
# on without asking (the policy's bar is CLEAR).
IMPLIED = 0.6
HINT = 0.3  # also the most a message gets when it carries no intent of its own


@dataclass(frozen=True)
class Cue:
    intent: Intent
    strength: float
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    needs_service: bool = False


def cue(
    intent: Intent,
    strength: float,
    *alternatives: str,
    unless: str | None = None,
    needs_service: bool = False,
) -> Cue:
    """A cue heard when any alternative matches the plain text, unless `unless` does too."""
    exception = re.compile(unless) if unless else None
    return Cue(intent, strength, re.compile("|".join(alternatives)), exception, needs_service)


def words(*phrases: str) -> str:
    """Whole words or phrases, any of them."""
    return r"\b(?:" + "|".join(phrases) + r")\b"


PASSIVE_CHANGE = r"\b(?:was|were|got|been|being) (?:re-?scheduled|cancell?ed|moved|postponed)\b"
APPOINTMENT = r"(?:appointment|appt|booking|reservation|visit|session)s?"
