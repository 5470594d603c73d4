"""Which catalogue service a message names, allowing for plurals, typos and everyday phrasings."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz, process

from backend.agent.nlu.text import Found

# How customers say a service, mapped to the catalogue's words for it; only services in the catalogue match.
PHRASINGS = [
    (
        (
            r"\bhair ?cuts?\b|\bcut (?:of )?my hair\b|\btrim my hair\b|\bhair trim\b"
            # Salon words for a haircut: "just a trim", "a cut and blow dry", "a wash and cut", "a blowout".
            r"|\b(?:a|just a|quick|a quick|another) trim\b(?! (?:of |to )?(?:my |the |his |your "
            r")?(?:beard|mustache|moustache))"
            r"|\b(?:a|quick|a quick|wash and|wash,) cut (?:and|&|n) (?:a )?(?:blow[- ]?dry|style|finish)\b"
            r"|\bcut (?:and|&|n) (?:a )?(?:blow[- ]?dry|style)\b|\bwash and cut\b|\bblow[- ]?(?:dry|out)\b"
        ),
        "haircut",
    ),
    (
        (
            r"\btrim (?:my |the |his )?beard\b|\bbeard (?:trims?|trimming|tidy|tidy-up|shape-?up)\b"
            r"|\bshape up my beard\b"
        ),
        "beard trim",
    ),
    (
        (
            r"\bcolou?r(?:ing)? touch[- ]?ups?\b|\broots? touch[- ]?ups?\b"
            r"|\btouch[- ]?up (?:my |the )?(?:colou?r|roots)\b|\b(?:my )?roots (?:done|touched up)\b"
            # The catalogue's only colour service, however the customer names the colouring.
            r"|\bhair (?:dyed|dye(?:ing)?|colou?red|colou?ring|tinted)\b|\b(?:dye|colou?r|tint) (?:my |his "
            r"|her )?hair\b"
            r"|\b(?:my )?hair colou?r\b|\bhighlights\b"
        ),
        "color touch-up",
    ),
    (
        r"\b(?:teeth|tooth|dental) clean(?:ing)?s?\b|\bclean(?:ing)? (?:of )?my teeth\b|\bteeth cleaned\b",
        "dental cleaning",
    ),
    (
        (
            r"\beye (?:exam|test|check-?up|check)s?\b|\bvision (?:test|exam|check)\b"
            r"|\beyes? (?:checked|tested|examined)\b|\b(?:check|test|examine) (?:my |your )?eyes\b"
        ),
        "eye exam",
    ),
    (r"\bmassages?\b|\brub-? ?down\b", "massage"),
]
# Words that describe many services, so they never pick one on their own.
GENERIC_WORDS = frozenset(
    {
        "touch",
        "up",
        "check",
        "test",
        "session",
        "appointment",
        "service",
        "full",
        "quick",
        "basic",
        "care",
        "treatment",
        "cut",
        "clean",
        "trim",
        "and",
        "the",
        "with",
        "for",
        "my",
    }
)
# Real words one letter away from a service, which the typo match would otherwise take for a misspelling.
NOT_TYPOS = frozenset({"message", "messages", "passage", "massive", "haircuts", "beards", "exams", "examine"})
# Indel similarity (rapidfuzz's `fuzz.ratio`, 0-100): "hiarcut" scores 86 against "haircut", "masage" 92.
SIMILAR_ENOUGH = 85.0
WORDS = re.compile(r"[a-z]+(?:['-][a-z]+)*")


def find_service(text: str, *, services: Sequence[str], expecting: str | None = None) -> Found[str] | None:
    """The first catalogue service the text names, as the catalogue spells it."""
    lowered = text.lower()
    for finder in (_by_phrasing, _by_name, _by_typo, _by_distinctive_word):
        found = finder(lowered, services, expecting)
        if found:
            return min(found, key=lambda item: item.start)
    return None


@lru_cache(maxsize=4096)
def _comparable(words: str) -> str:
    """A service name reduced to what matters for comparing: lower case, no hyphens or plural s."""
    words = re.sub(r"[-\s]+", " ", words.lower()).strip()
    return re.sub(r"(?<=\w{3})s\b", "", words)


def _catalogue_entry(phrase: str, services: Sequence[str]) -> str | None:
    wanted = _comparable(phrase)
    for service in services:
        comparable = _comparable(service)
        if comparable == wanted or comparable.replace(" ", "") == wanted.replace(" ", ""):
            return service
    for service in services:
        if set(wanted.split()) <= set(_comparable(service).split()):
            return service
    return None


def _by_phrasing(text: str, services: Sequence[str], expecting: str | None) -> list[Found[str]]:
    found = []
    for pattern, phrase in PHRASINGS:
        service = _catalogue_entry(phrase, services)
        match = re.search(pattern, text)
        if service and match:
            found.append(Found(service, match.start(), match.end()))
    return found


def _by_name(text: str, services: Sequence[str], expecting: str | None) -> list[Found[str]]:
    found = []
    for service in services:
        words = [re.escape(word) for word in re.split(r"[-\s]+", service.lower()) if word]
        pattern = r"\b" + r"[-\s]?".join(words) + r"(?:s|es)?\b"
        match = re.search(pattern, text)
        if match:
            found.append(Found(service, match.start(), match.end()))
    return found


def _by_typo(text: str, services: Sequence[str], expecting: str | None) -> list[Found[str]]:
    words = list(WORDS.finditer(text))
    cutoff = SIMILAR_ENOUGH - 5 if expecting == "service" else SIMILAR_ENOUGH
    found = []
    for service in services:
        target = _comparable(service).replace(" ", "")
        size = len(re.split(r"[-\s]+", service.strip()))
        spans, written = [], []
        for length in sorted({max(1, size - 1), size, size + 1}):
            for first in range(len(words) - length + 1):
                span = words[first : first + length]
                if len(span) == 1 and span[0].group(0) in NOT_TYPOS:
                    continue
                squashed = _comparable(" ".join(word.group(0) for word in span)).replace(" ", "")
                if len(squashed) >= 5:
                    spans.append(span)
                    written.append(squashed)
        # The closest run of words; on a tie the shortest and earliest, as they were listed.
        closest = process.extractOne(target, written, scorer=fuzz.ratio, score_cutoff=cutoff)
        if closest:
            span = spans[closest[2]]
            found.append(Found(service, span[0].start(), span[-1].end()))
    return found


def _by_distinctive_word(text: str, services: Sequence[str], expecting: str | None) -> list[Found[str]]:
    """A word that belongs to one catalogue service only: "my beard" is the beard trim."""
    owners: dict[str, list[str]] = {}
    for service in services:
        for word in set(_comparable(service).split()):
            owners.setdefault(word, []).append(service)
    found = []
    for match in re.finditer(r"[a-z]+", text):
        word = _comparable(match.group(0))
        services_with_word = owners.get(word, [])
        if len(word) >= 4 and word not in GENERIC_WORDS and len(services_with_word) == 1:
            found.append(Found(services_with_word[0], match.start(), match.end()))
    return found
