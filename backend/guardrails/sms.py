"""How many SMS segments a text costs: GSM-7 when every character is in its alphabet, else UCS-2.

GSM-7 fits 160 septets in one segment and 153 per segment once split (the rest carries the joining header);
extension characters (€ [ ] { } ^ ~ | \\ and form feed) take two septets. UCS-2 fits 70 UTF-16 units alone and
67 when split; an emoji outside the basic plane takes two units. Neither a two-septet character nor a
surrogate pair is split across segments, as phones and carriers do it.
"""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    first_non_gsm: str | None  # the character that forced UCS-2, if any


def sms_size(text: str) -> SmsSize:
    """The encoding, length in units and segment count an SMS with this text is sent with."""
    first_non_gsm = next(
        (char for char in text if char not in GSM7_BASIC and char not in GSM7_EXTENSION), None
    )
    if first_non_gsm is None:
        widths = [2 if char in GSM7_EXTENSION else 1 for char in text]
        return SmsSize("GSM-7", sum(widths), _segments(widths, single=GSM7_SINGLE, part=GSM7_PART), None)
    widths = [2 if ord(char) > 0xFFFF else 1 for char in text]
    return SmsSize("UCS-2", sum(widths), _segments(widths, single=UCS2_SINGLE, part=UCS2_PART), first_non_gsm)


def _segments(widths: list[int], *, single: int, part: int) -> int:
    total = sum(widths)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for width in widths:
        if used + width > part:
            segments, used = segments + 1, 0
        used += width
    return segments
