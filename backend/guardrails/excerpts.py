"""The part of a text a finding points at, with personal data redacted, short enough to store and show."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from backend.guardrails.pii_detection import PLACEHOLDERS, find_pii

EXCERPT_LIMIT = 200
CONTEXT_CHARS = 40  # around the offending span, so a reviewer sees what it was said about
ELLIPSIS = "…"


def excerpt(text: str, *, start: int, end: int) -> str:
    """Text[start:end] with some context, redacted as a whole first so no PII is cut in half and left
    readable."""
    redacted = _redacted(text)
    first, last = _shifted(start, redacted, at_end=False), _shifted(end, redacted, at_end=True)
    low, high = max(0, first - CONTEXT_CHARS), min(len(redacted.text), last + CONTEXT_CHARS)
    # Only as much as can be shown is cleaned up, so a finding spanning a huge text stays cheap.
    window = re.sub(r"\s+", " ", redacted.text[low : min(high, low + 2 * EXCERPT_LIMIT)]).strip()
    prefix = ELLIPSIS if low > 0 else ""
    suffix = ELLIPSIS if high < len(redacted.text) else ""
    shown = f"{prefix}{window}{suffix}"
    if len(shown) > EXCERPT_LIMIT:
        # The window opens just before the offending span, so cutting its tail keeps what matters.
        shown = f"{prefix}{window}"[: EXCERPT_LIMIT - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return shown


@dataclass(frozen=True)
class _Redacted:
    text: str
    # One shift per replaced piece: (source start, source end, redacted start, redacted end), in order.
    shifts: tuple[tuple[int, int, int, int], ...]
    starts: tuple[int, ...]  # the source starts alone, for bisect


# A turn's findings all excerpt the same text; redacting it once keeps many findings linear.
@lru_cache(maxsize=8)
def _redacted(text: str) -> _Redacted:
    pieces: list[str] = []
    shifts = []
    position = written = 0
    for match in find_pii(text):
        pieces.append(text[position : match.start])
        written += match.start - position
        placeholder = PLACEHOLDERS[match.kind]
        shifts.append((match.start, match.end, written, written + len(placeholder)))
        pieces.append(placeholder)
        written += len(placeholder)
        position = match.end
    pieces.append(text[position:])
    return _Redacted("".join(pieces), tuple(shifts), tuple(shift[0] for shift in shifts))


def _shifted(position: int, redacted: _Redacted, *, at_end: bool) -> int:
    index = bisect.bisect_left(redacted.starts, position) - 1
    if index < 0:
        return position
    _, source_end, target_start, target_end = redacted.shifts[index]
    if position >= source_end:
        return target_end + (position - source_end)
    # Inside a replaced piece: widen to the whole placeholder.
    return target_end if at_end else target_start
