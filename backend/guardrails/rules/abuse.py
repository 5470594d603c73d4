"""Abusive or harassing customer text: profanity and slurs (also disguised: "f*ck", "sh1t", "a$$hole"),
insults aimed at the agent or staff, and threats. Mild frustration ("this is really frustrating", "what the
heck") is not abuse, and words that merely contain a listed one ("Scunthorpe", "class", "cocktail") never
match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.errors import GuardrailConfigError
from backend.guardrails.folding import fold
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, TextRule, TextTurn, without_overlaps

SUFFIXES = ("", "s", "es", "ing", "in", "en", "ed", "er", "ers", "y", "ty", "head", "heads", "face")
LEET = str.maketrans(
    {"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t"}
)
WILDCARDS = "*#%"
# A word as written, with disguises kept inside it: "f*ck", "a$$hole", "f.u.c.k", "sh!t".
TOKEN = re.compile(r"[\w@$!*#%](?:[\w@$!*#%]|[._-](?=[\w@$*#%]))*")
SEPARATORS = re.compile(r"[._-]")
# Insults aimed at someone ("you're an idiot", "your staff are useless morons") and threats of harm.
DIRECTED = re.compile(
    r"\b(?:you(?:'re|\s+are|\s+r)?|ur|u\s+r|u|your\s+(?:staff|receptionist|bot|team|people|employees)(?:\s+are)?)\s+"
    r"(?:(?:a|an|such\s+an?|so|really|fucking|bloody|complete|total|absolute|utter|useless|pathetic|brainless|"
    r"incompetent|stupid)\s+){0,3}(?:idiots?|morons?|imbeciles?|cretins?|losers?|scum|trash|garbage|pathetic|"
    r"worthless|retarded|brain-?dead|clowns?|stupid|dumb|piece\s+of\s+(?:shit|crap|garbage|trash|junk)|"
    r"useless\s+(?:piece|pile|bot|machine|idiots?|morons?))\b"
)
THREATS = re.compile(
    r"\bi(?:'ll|\s+will|'m\s+going\s+to|\s+am\s+going\s+to|\s+gonna)\s+(?:\w+\s+){0,3}?(?:kill|hurt|beat|stab|shoot|"
    r"smash|punch|strangle|burn)\s+(?:you|your|u|ur|the\s+(?:staff|receptionist|owner|place|shop|salon|clinic|building))\b"
    r"|\bhunt\s+(?:you|u)\s+down\b"
    r"|\b(?:go\s+)?kill\s+(?:yourself|yourselves|urself)\b|\bkys\b|\bgo\s+(?:die|to\s+hell)\b"
    r"|\bhope\s+you\s+(?:die|get\s+(?:cancer|hit|killed|raped))\b|\bi\s+know\s+where\s+you\s+live\b|\bpiss\s+off\b"
)


@dataclass(frozen=True)
class Abuse(TextRule):
    name: ClassVar[str] = "abuse"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.INPUT})
    redacts: ClassVar[bool] = True

    words: tuple[str, ...]
    word_pattern: re.Pattern[str]

    @classmethod
    def from_params(cls, params: Params) -> Abuse:
        words = tuple(
            sorted(
                {
                    word.lower()
                    for word in (*params.file_lines("words_file"), *params.strings("words"))
                    if word
                }
            )
        )
        if not words:
            raise GuardrailConfigError("rule 'abuse' needs words: set words_file or words")
        phrases = [word for word in words if not word.isalpha()]
        if phrases:
            # Words are matched one token at a time; phrases belong in the THREATS / DIRECTED patterns.
            raise GuardrailConfigError(f"rule 'abuse': words must be single words of letters, not {phrases}")
        return cls(words=words, word_pattern=_word_pattern(words))

    def check(self, turn: TextTurn) -> list[Hit]:
        hits = [
            Hit(message="abusive language (profanity or slur)", start=start, end=end, replacement="***")
            for start, end in self._word_spans(turn.text)
        ]
        view = fold(turn.text)
        for pattern, why in ((DIRECTED, "insult aimed at a person"), (THREATS, "threat or harassment")):
            for match in pattern.finditer(view.text):
                start, end = view.source_span(match.start(), match.end())
                hits.append(Hit(message=f"abusive language ({why})", start=start, end=end, replacement="***"))
        return without_overlaps(hits, length=len(turn.text))

    def _word_spans(self, text: str) -> list[tuple[int, int]]:
        view = fold(text)
        spans = []
        for match in TOKEN.finditer(view.text):
            token = _canonical(match.group(0))
            if any(char.isalpha() for char in token) and self._is_listed(token):
                spans.append(view.source_span(match.start(), match.end()))
        # "f u c k": single letters typed apart.
        for run in re.finditer(r"(?<!\S)(?:[a-z*]\s){2,}[a-z*](?!\S)", view.text):
            if self._is_listed(run.group(0).replace(" ", "")):
                spans.append(view.source_span(run.start(), run.end()))
        return spans

    def _is_listed(self, token: str) -> bool:
        variants = {token, token.replace("v", "u")}  # "fvck"
        if any(self.word_pattern.fullmatch(variant) for variant in variants):
            return True
        # A real first letter and two real letters at least, so "a*" (an exam grade), "s***" or "****" stay
        # unread.
        if not any(char in WILDCARDS for char in token) or not token[0].isalpha():
            return False
        if sum(char.isalpha() for char in token) < 2:
            return False
        # "f*ck", "f**k", "b*tch": each run of symbols stands for one to a few hidden letters.
        masked = re.compile(
            "".join(
                f"[a-z]{{1,{len(part) + 1}}}" if part[0] in WILDCARDS else re.escape(part)
                for part in re.findall(rf"[{WILDCARDS}]+|[^{WILDCARDS}]+", token)
            )
        )
        return any(masked.fullmatch(word + suffix) for word in self.words for suffix in SUFFIXES)


def _canonical(token: str) -> str:
    token = token.lower().rstrip("!")  # "fuck!!!" is the word and its shouting
    return SEPARATORS.sub("", token).translate(LEET)


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # Each letter may be stretched ("fuuuck") but never shortened, so "ass" does not match "as".
    stretched = [
        "".join(f"{re.escape(letter)}{{{len(run)},}}" for run, letter in _runs(word)) for word in words
    ]
    suffixes = "|".join(suffix for suffix in SUFFIXES if suffix)
    return re.compile(rf"(?:{'|'.join(stretched)})(?:{suffixes})?")


def _runs(word: str) -> list[tuple[str, str]]:
    return [(match.group(0), match.group(0)[0]) for match in re.finditer(r"(.)\1*", word)]
