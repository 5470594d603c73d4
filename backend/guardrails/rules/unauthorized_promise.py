"""Agent replies that commit the business to what it does not offer: refunds, discounts, waived fees,
guarantees.

The forbidden commitments are patterns in the config. A match is ignored when the same clause negates or
hedges it just before ("I can't promise a refund", "I'll check whether you'll get a refund"), and statements
about who handles a topic ("refunds are handled by our team") match no commitment pattern at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, TextRule, TextTurn, without_overlaps

DEFAULT_NEGATIONS = (
    "not",
    "never",
    "can't",
    "cannot",
    "can not",
    "won't",
    "wouldn't",
    "don't",
    "do not",
    "doesn't",
    "does not",
    "isn't",
    "aren't",
    "unable",
    "no longer",
    "whether",
    "if i can",
)
# A clause ends at sentence punctuation or where "but"/"however" turns the meaning around.
CLAUSE_BREAK = re.compile(r"[.!?;:\n]|,?\s\b(?:but|however|although|though)\b", re.IGNORECASE)
NEGATION_WINDOW_WORDS = 6
LOOK_BACK_CHARS = 200
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'"})


@dataclass(frozen=True)
class UnauthorizedPromise(TextRule):
    name: ClassVar[str] = "unauthorized_promise"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.OUTPUT})

    patterns: tuple[re.Pattern[str], ...]
    negation: re.Pattern[str]

    @classmethod
    def from_params(cls, params: Params) -> UnauthorizedPromise:
        patterns = params.patterns("forbidden_patterns")
        negations = params.strings("negations", default=DEFAULT_NEGATIONS)
        words = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in negations)
        return cls(patterns=patterns, negation=re.compile(rf"(?<![\w'])(?:{words})(?![\w'])", re.IGNORECASE))

    def check(self, turn: TextTurn) -> list[Hit]:
        # Straight apostrophes, one for one, so spans stay those of the original reply.
        text = turn.text.translate(QUOTES)
        hits = [
            Hit(
                message="reply makes a commitment the business does not offer",
                start=match.start(),
                end=match.end(),
            )
            for pattern in self.patterns
            for match in pattern.finditer(text)
            if not self._negated(text, match)
        ]
        return without_overlaps(hits, length=len(text))

    def _negated(self, text: str, match: re.Match[str]) -> bool:
        # Only the nearby text can negate this promise; a bounded look-back keeps long replies linear.
        before = text[max(0, match.start() - LOOK_BACK_CHARS) : match.start()]
        breaks = list(CLAUSE_BREAK.finditer(before))
        clause = before[breaks[-1].end() :] if breaks else before
        window = " ".join(clause.split()[-NEGATION_WINDOW_WORDS:])
        # The promise itself may carry the negation: "we will not refund".
        return bool(self.negation.search(window) or self.negation.search(match.group(0)))
