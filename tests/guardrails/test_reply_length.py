"""SMS replies are measured in segments (GSM-7 or UCS-2), chat and voice replies in characters."""

import pytest

from backend.guardrails.engine import check_output
from backend.guardrails.sms import sms_size
from tests.guardrails.helpers import CONFIG, CUSTOMER

SEGMENTS = [
    ("", "GSM-7", 0, 0),
    ("a" * 160, "GSM-7", 160, 1),
    ("a" * 161, "GSM-7", 161, 2),
    ("a" * 306, "GSM-7", 306, 2),
    ("a" * 307, "GSM-7", 307, 3),
    ("a" * 459, "GSM-7", 459, 3),
    ("a" * 460, "GSM-7", 460, 4),
    ("€" * 80, "GSM-7", 160, 1),  # extension characters cost two septets
    ("€" * 81, "GSM-7", 162, 2),
    ("a" * 152 + "€" + "a" * 152, "GSM-7", 306, 3),  # the escape pair is not split, so it moves on
    ("Café à 15h, Ñoño, Øst, £20", "GSM-7", 26, 1),  # accented letters GSM-7 has
    ("Café à 15h, Ñandú", "UCS-2", 17, 1),  # ú is not one of them
    ("It’s booked", "UCS-2", 11, 1),  # one curly apostrophe forces UCS-2
    ("a" * 70, "GSM-7", 70, 1),
    ("ç" + "a" * 69, "UCS-2", 70, 1),  # lower-case ç is not in GSM-7
    ("ç" + "a" * 70, "UCS-2", 71, 2),
    ("😀" * 35, "UCS-2", 70, 1),  # an emoji is a surrogate pair: two units
    ("😀" * 36, "UCS-2", 72, 2),
    ("a" * 66 + "😀" + "a" * 66, "UCS-2", 134, 3),  # the pair is not split at unit 67
]


@pytest.mark.parametrize(("text", "encoding", "units", "segments"), SEGMENTS)
def test_sms_segment_math(text, encoding, units, segments):
    size = sms_size(text)
    assert (size.encoding, size.units, size.segments) == (encoding, units, segments)


def test_an_emoji_turns_a_three_segment_sms_into_five():
    plain = "b" * 300
    assert sms_size(plain).segments == 2
    assert sms_size(plain + "🎉").segments == 5


def _rules(text: str, channel: str) -> set[str]:
    return {
        finding.rule
        for finding in check_output(text, config=CONFIG, channel=channel, customer=CUSTOMER).findings
    }


@pytest.mark.parametrize(
    ("text", "channel", "too_long"),
    [
        ("a" * 459, "SMS", False),
        ("a" * 460, "SMS", True),
        ("a" * 201 + "🙂", "SMS", True),
        ("a" * 199, "sms", False),
        ("a" * 1000, "CHAT", False),
        ("a" * 1001, "CHAT", True),
        ("a" * 600, "VOICE", False),
        ("a" * 601, "VOICE", True),
        ("a" * 700, "CHAT", False),
    ],
)
def test_reply_length_limits_per_channel(text, channel, too_long):
    assert ("reply_length" in _rules(text, channel)) is too_long


def test_the_finding_explains_the_encoding_and_is_only_flagged():
    result = check_output(
        "Your slots: " + "9:00, " * 40 + "🎉", config=CONFIG, channel="SMS", customer=CUSTOMER
    )
    (finding,) = result.findings
    assert "UCS-2" in finding.message and "limit is 3" in finding.message
    assert not result.blocked
    assert len(finding.excerpt) <= 200


def test_an_unknown_channel_is_an_error():
    with pytest.raises(ValueError, match="unknown channel"):
        check_output("hi", config=CONFIG, channel="FAX", customer=CUSTOMER)
