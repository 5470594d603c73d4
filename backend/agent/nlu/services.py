"""Which catalogue service a message names, allowing for plurals, typos and everyday phrasings."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from backend.agent.nlu.text import Found

# How customers say a service, mapped to the catalogue's words for it; only services in the catalogue match.
PHRASINGS = [
    (r"\bhair ?cuts?\b|\bcut (?:of )?my hair\b|\btrim my hair\b|\bhair trim\b", "haircut"),
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
    {"touch", "up", "check", "test", "session", "appointment", "service", "full", "quick", "basic", "care",
     "treatment", "cut", "clean", "trim", "and", "the", "with", "for", "my"}
)
# Real words one letter away from a service, which difflib would otherwise take for a typo.
NOT_TYPOS = frozenset({"message", "messages", "passage", "massive", "haircuts", "beards", "exams", "examine"})
SIMILAR_ENOUGH = 0.85


def find_service(text: str, *, services: Sequence[str], expecting: str | None = None) -> Found[str] | None:
    """The first catalogue service the text names, as the catalogue spells it."""
    lowered = text.lower()
    for finder in (_by_phrasing, _by_name, _by_typo, _by_distinctive_word):
        found = finder(lowered, services, expecting)
        if found:
            return min(found, key=lambda item: item.start)
    return None


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
    words = list(re.finditer(r"[a-z]+(?:['-][a-z]+)*", text))
    cutoff = SIMILAR_ENOUGH - 0.05 if expecting == "service" else SIMILAR_ENOUGH
    found = []
    for service in services:
        target = _comparable(service).replace(" ", "")
        size = len(re.split(r"[-\s]+", service.strip()))
        closest: tuple[float, Found[str]] | None = None
        for length in sorted({max(1, size - 1), size, size + 1}):
            for first in range(len(words) - length + 1):
                span = words[first : first + length]
                if len(span) == 1 and span[0].group(0) in NOT_TYPOS:
                    continue
                written = _comparable(" ".join(word.group(0) for word in span)).replace(" ", "")
                similarity = difflib.SequenceMatcher(None, written, target).ratio()
                closer = closest is None or similarity > closest[0]
                if len(written) >= 5 and similarity >= cutoff and closer:
                    closest = (similarity, Found(service, span[0].start(), span[-1].end()))
        if closest:
            found.append(closest[1])
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
