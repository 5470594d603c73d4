"""Views of a text with disguises undone (look-alike letters, leetspeak, s p a c i n g), mapped back to the
source.

Pattern rules match on a folded view and report spans in the original text, so excerpts and redactions
point at what the customer actually wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

# Cyrillic and Greek letters that render like Latin ones: "іgnоrе" with Cyrillic і/о/е reads as "ignore".
HOMOGLYPHS = str.maketrans("аеорсухіјѕԁԛԝкмнтвαβεικνορτυχ", "aeopcyxijsdqwkmhtbabeikvoptux")
QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u02bc": "'"}
)
LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "|": "i"}
# "i g n o r e", "i.g.n.o.r.e": three or more single letters joined by one separator each.
SPACED_LETTERS = re.compile(r"(?<![a-z])[a-z](?:[ .\-_*+][a-z]){2,}(?![a-z])")
WHITESPACE_RUN = re.compile(r"\s+")


@dataclass(frozen=True)
class Folded:
    text: str
    origin: tuple[int, ...]  # origin[i] is where folded character i came from in the source

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source text that folded characters [start, end) came from."""
        if end <= start:
            return (self.origin[start], self.origin[start]) if start < len(self.origin) else (0, 0)
        return self.origin[start], self.origin[end - 1] + 1


# Several rules fold the same message on one turn; each view is built once.
@lru_cache(maxsize=8)
def fold(text: str, *, leet: bool = False) -> Folded:
    """Lower case, look-alikes and accents undone, invisible characters dropped, whitespace runs made one."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        for piece in _fold_char(char):
            chars.append(piece)
            origins.append(index)
    if leet:
        _undo_leet(chars)
        _join_spaced_letters(chars, origins)
    _collapse_whitespace(chars, origins)
    return Folded("".join(chars), tuple(origins))


def squash(folded: Folded) -> Folded:
    """Only the letters of a folded view, for phrases typed with every word run together or split up."""
    kept = [(char, origin) for char, origin in zip(folded.text, folded.origin, strict=True) if char.isalpha()]
    return Folded("".join(char for char, _ in kept), tuple(origin for _, origin in kept))


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if unicodedata.category(char) == "Cf":  # zero-width spaces and joiners, soft hyphens, BOMs
        return ""
    # NFKD turns full-width and styled letters ("ｉｇｎｏｒｅ", "𝐢𝐠𝐧𝐨𝐫𝐞") into plain ones and splits off
    # accents.
    decomposed = unicodedata.normalize("NFKD", char)
    plain = "".join(piece for piece in decomposed if not unicodedata.combining(piece)) or char
    return plain.lower().translate(HOMOGLYPHS).translate(QUOTES)


def _undo_leet(chars: list[str]) -> None:
    def is_letter(position: int) -> bool:
        return 0 <= position < len(chars) and chars[position].isalpha()

    # Only inside words: "1gn0re" is leetspeak, "at 10" and "$45" are not.
    replaced = [
        LEET[char] if char in LEET and (is_letter(position - 1) or is_letter(position + 1)) else char
        for position, char in enumerate(chars)
    ]
    chars[:] = replaced


def _join_spaced_letters(chars: list[str], origins: list[int]) -> None:
    text = "".join(chars)
    drop: set[int] = set()
    for match in SPACED_LETTERS.finditer(text):
        drop.update(range(match.start() + 1, match.end(), 2))
    _keep_only(chars, origins, lambda position: position not in drop)


def _collapse_whitespace(chars: list[str], origins: list[int]) -> None:
    text = "".join(chars)
    drop: set[int] = set()
    for match in WHITESPACE_RUN.finditer(text):
        # A line break survives as one: role markers ("System: …") are recognised at the start of a line.
        chars[match.start()] = "\n" if "\n" in match.group(0) else " "
        drop.update(range(match.start() + 1, match.end()))
    _keep_only(chars, origins, lambda position: position not in drop)


def _keep_only(chars: list[str], origins: list[int], keep: Callable[[int], bool]) -> None:
    kept = [
        (char, origin)
        for position, (char, origin) in enumerate(zip(chars, origins, strict=True))
        if keep(position)
    ]
    chars[:] = [char for char, _ in kept]
    origins[:] = [origin for _, origin in kept]
