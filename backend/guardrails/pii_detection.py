"""Personal data in free text: phone numbers, e-mail addresses, payment cards, US SSNs and UK NINOs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from backend.core.phone_numbers import e164
from backend.guardrails.enums import PiiKind

PLACEHOLDERS = {kind: f"[{kind.value}]" for kind in PiiKind}
ALL_KINDS = frozenset(PiiKind)

EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
# "jane (at) example (dot) com": people who expect filters write addresses this way on purpose.
SPELLED_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+\s*[\[(]\s*at\s*[\])]\s*[A-Za-z0-9-]+(?:\s*[\[(]\s*dot\s*[\])]\s*[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
# A run of digit groups as people type them: "+1 (555) 123-4567", "4111 1111 1111 1111", "078-05-1120".
# The look-arounds keep out digits glued to words or hyphenated ids (UUIDs, "ref-2026...").
NUMBER_RUN = re.compile(
    r"(?<![\w+])(?<!\w-)\+?(?:\(\d+\)|\d+)"
    # Each further group needs a separator (or a bracket) first: letting "\d+\d+" split a digit run in every
    # possible way made a failing match on a long number take exponential time.
    r"(?:(?:[ \u00a0]?[-.][ \u00a0]?|[ \u00a0])(?:\(\d+\)|\d+)|\(\d+\)|(?<=\))\d+)*"
    r"(?![\w])(?![-.]\w)"
)
# Dates and clock times are read as digits by NUMBER_RUN ("2026-11-25 09:00" looks like a 10-digit phone), so
# they are masked out first; "\d{4}-\d{2}-\d{2}" is never a phone, card or SSN grouping.
DATES_AND_TIMES = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}(?=\b|T)|\b\d{1,2}:\d{2}(?::\d{2})?\b")
SSN_GROUPED = re.compile(r"(\d{3})([ -])(\d{2})\2(\d{4})")
# A bare nine-digit SSN is only believable right after someone says it is one.
SSN_CUE = re.compile(
    r"(?:\bssn|\bsocial\s+security(?:\s+(?:number|no\.?))?)(?:\s*(?:is|was|:|#|-)\s*){0,3}\s*$", re.IGNORECASE
)
NINO = re.compile(
    r"\b(?!BG|GB|KN|NK|NT|TN|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
DIGIT_WORDS = {
    word: str(digit)
    for digit, word in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    )
} | {"oh": "0"}
# Voice transcripts spell numbers out: "five five five, one two three, four five six seven", and a card number
# read out is sixteen such words ("four one one one ..."), perhaps with "double four" or "triple one".
SPOKEN_DIGIT = re.compile(
    rf"\b(?:(?P<repeat>double|triple)\s+)?(?P<word>{'|'.join(DIGIT_WORDS)})\b", re.IGNORECASE
)
SPOKEN_DIGITS = re.compile(
    rf"\b(?:(?:(?:double|triple)\s+)?(?:{'|'.join(DIGIT_WORDS)})\b[\s,.-]*){{7,}}", re.IGNORECASE
)
REPEATS = {"double": 2, "triple": 3}
MAX_GROUPS = 6
CARD_PREFIXES = "23456"  # Mastercard 2/5, Amex and Diners 3, Visa 4, Discover 6: other leading digits are ids


@dataclass(frozen=True)
class PiiMatch:
    kind: PiiKind
    start: int
    end: int
    value: str  # normalised: a phone as E.164 when its country is known, lower-case e-mail, bare digits


def find_pii(text: str, *, kinds: Collection[PiiKind] = ALL_KINDS) -> list[PiiMatch]:
    """Every piece of personal data of the given kinds in the text, in reading order, never overlapping."""
    accepted: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []  # spans of accepted matches, sorted and disjoint
    # E-mails come first: their local part may hold digits that would otherwise read as a phone number.
    for candidate in _candidates(text):
        if candidate.kind in kinds and _is_free(taken, candidate.start, candidate.end):
            bisect.insort(taken, (candidate.start, candidate.end))
            accepted.append(candidate)
    return sorted(accepted, key=lambda match: match.start)


def redact(text: str, *, kinds: Collection[PiiKind] = ALL_KINDS) -> str:
    """The text with every piece of personal data replaced by its placeholder ("[PHONE]", "[CARD]" …)."""
    pieces: list[str] = []
    position = 0
    for match in find_pii(text, kinds=kinds):
        pieces.append(text[position : match.start])
        pieces.append(PLACEHOLDERS[match.kind])
        position = match.end
    pieces.append(text[position:])
    return "".join(pieces)


def luhn_valid(digits: str) -> bool:
    """Whether a digit string passes the Luhn checksum every payment card number carries."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def same_phone(first: str, second: str) -> bool:
    """Whether two phone numbers are one line, comparing national numbers so "07700…" equals "+447700…"."""
    a, b = re.sub(r"\D", "", first).lstrip("0"), re.sub(r"\D", "", second).lstrip("0")
    shorter, longer = sorted((a, b), key=len)
    # A domestic number lacks only the country code, so it must be the tail of the international one.
    return len(shorter) >= 7 and longer.endswith(shorter)


def _candidates(text: str) -> Iterator[PiiMatch]:
    for pattern in (EMAIL, SPELLED_EMAIL):
        for match in pattern.finditer(text):
            yield PiiMatch(PiiKind.EMAIL, match.start(), match.end(), match.group(0).lower())
    masked = DATES_AND_TIMES.sub(lambda found: "x" * len(found.group(0)), text)
    for match in NUMBER_RUN.finditer(masked):
        yield from _classify_run(text, match.start(), match.end())
    for match in NINO.finditer(text):
        written = match.group(0)
        # Spaced-out lower case ("at 12 34 56 a") is ordinary prose far more often than an insurance number.
        if " " not in written or written.isupper():
            yield PiiMatch(PiiKind.NINO, match.start(), match.end(), written.replace(" ", "").upper())
    for match in SPOKEN_DIGITS.finditer(text):
        digits = "".join(
            DIGIT_WORDS[word["word"].lower()] * REPEATS.get((word["repeat"] or "").lower(), 1)
            for word in SPOKEN_DIGIT.finditer(match.group(0))
        )
        end = match.start() + len(match.group(0).rstrip(" ,.-"))
        if _is_card(digits):
            yield PiiMatch(PiiKind.CARD, match.start(), end, digits)
        elif (number := _north_american(digits)) is not None:
            yield PiiMatch(PiiKind.PHONE, match.start(), end, number)


def _classify_run(text: str, start: int, end: int) -> Iterator[PiiMatch]:
    whole = _classify_number(text, start, end)
    if whole is not None:
        yield whole
        return
    # "555 234 5678 2 people": a number typed beside another merges into one run, so try its spaced parts,
    # longest first. Parts follow the writer's own grouping, so a 16-digit order id never yields a phone.
    pieces = [(start + part.start(), start + part.end()) for part in re.finditer(r"\S+", text[start:end])]
    first = 0
    while first < len(pieces):
        # No phone or card is written in more than MAX_GROUPS groups; the bound keeps long runs linear.
        for last in range(min(first + MAX_GROUPS, len(pieces)) - 1, first - 1, -1):
            if (first, last) == (0, len(pieces) - 1):
                continue
            found = _classify_number(text, pieces[first][0], pieces[last][1])
            if found is not None:
                yield found
                first = last
                break
        first += 1


def _classify_number(text: str, start: int, end: int) -> PiiMatch | None:
    written = text[start:end]
    digits = re.sub(r"\D", "", written)
    international = written.startswith("+") or (digits.startswith("00") and len(digits) >= 10)
    if not international and _is_card(digits):
        return PiiMatch(PiiKind.CARD, start, end, digits)
    if _is_ssn(text, start, written, digits):
        return PiiMatch(PiiKind.SSN, start, end, digits)
    if international:
        number = e164("+" + digits.removeprefix("00"))
        return PiiMatch(PiiKind.PHONE, start, end, number) if number else None
    number = _north_american(digits)
    if number is not None:
        return PiiMatch(PiiKind.PHONE, start, end, number)
    # A trunk-prefixed domestic number ("07700 900123", "06 12 34 56 78"): the country is not written.
    if len(digits) in (10, 11) and digits[0] == "0" and digits[1] != "0":
        return PiiMatch(PiiKind.PHONE, start, end, digits)
    return None


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and digits[0] in CARD_PREFIXES and luhn_valid(digits)


def _north_american(digits: str) -> str | None:
    if len(digits) not in (10, 11) or (len(digits) == 11 and digits[0] != "1"):
        return None
    # Exchanges never start with 0 or 1 either (phonenumbers checks the area code): that keeps most order
    # numbers out of redaction.
    return e164(digits) if digits[-7] not in "01" else None


def _is_ssn(text: str, start: int, written: str, digits: str) -> bool:
    if len(digits) != 9:
        return False
    grouped = SSN_GROUPED.fullmatch(written) is not None
    if not grouped and not (digits == written and SSN_CUE.search(text[max(0, start - 40) : start])):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    # The SSA never issues area 000, 666 or 900-999, group 00 or serial 0000.
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


def _is_free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    after = bisect.bisect_left(taken, (start, start))
    if after < len(taken) and taken[after][0] < end:
        return False
    return after == 0 or taken[after - 1][1] <= start
