"""Personal data is found where people write it, and look-alikes (order numbers, dates, partial numbers) are
not."""

import time

import pytest

from backend.guardrails.enums import PiiKind
from backend.guardrails.pii_detection import find_pii, luhn_valid, redact, same_phone
from tests.guardrails.helpers import input_rules, output_rules

POSITIVES = [
    ("call me on +1 (555) 234-5678 after 5", PiiKind.PHONE, "+15552345678"),
    ("my cell is 555.234.5678", PiiKind.PHONE, "+15552345678"),
    ("text 5552345678 instead", PiiKind.PHONE, "+15552345678"),
    ("reach me on 1-555-234-5678", PiiKind.PHONE, "+15552345678"),
    ("UK mobile 07700 900123", PiiKind.PHONE, "07700900123"),
    ("office +44 20 7946 0958", PiiKind.PHONE, "+442079460958"),
    ("from abroad 0044 20 7946 0958", PiiKind.PHONE, "+442079460958"),
    ("uh my number is five five five two three four five six seven eight", PiiKind.PHONE, "+15552345678"),
    # A card read out on a call, as the voice transcript spells it.
    (
        "yeah my card number is four one one one one one one one one one one one one one one one",
        PiiKind.CARD,
        "4111111111111111",
    ),
    (
        "it's four two four two, four two four two, four two four two, four two four two",
        PiiKind.CARD,
        "4242424242424242",
    ),
    (
        "five five double five, five five five five, five five five five, four four four four",
        PiiKind.CARD,
        "5555555555554444",
    ),
    ("call me back on two one two triple five oh one four three", PiiKind.PHONE, "+12125550143"),
    ("email maria.lopez+salon@gmail.com thanks", PiiKind.EMAIL, "maria.lopez+salon@gmail.com"),
    ("write to maria (at) example (dot) com", PiiKind.EMAIL, "maria (at) example (dot) com"),
    ("visa 4111 1111 1111 1111 exp 12/27", PiiKind.CARD, "4111111111111111"),
    ("card 4242-4242-4242-4242", PiiKind.CARD, "4242424242424242"),
    ("amex 3782 822463 10005.", PiiKind.CARD, "378282246310005"),
    ("card number 5555555555554444", PiiKind.CARD, "5555555555554444"),
    ("SSN 219-09-9998 for the claim", PiiKind.SSN, "219099998"),
    ("social security 219 09 9998", PiiKind.SSN, "219099998"),
    ("my ssn is 219099998", PiiKind.SSN, "219099998"),
    ("NI number JG 10 37 56 A", PiiKind.NINO, "JG103756A"),
    ("nino jg103756a", PiiKind.NINO, "JG103756A"),
]

NEGATIVES = [
    "order number 1234567890123456 has not arrived",  # 16 digits, fails Luhn: an id, not a card
    "order 4111 1111 1111 1112 please",  # a card's shape with a broken checksum
    "call me at 555-0100",  # seven digits: a partial number, not enough to reach anyone
    "ring 555-123-4567",  # exchange 123 cannot exist in North America
    "Is 2026-11-26 free?",  # an ISO date, not an SSN
    "2026-11-25 09:00 works",  # a date and a time, not a ten-digit phone
    "ref 123456789 on the invoice",  # nine bare digits with no SSN cue
    "SSN 666-12-3456 or 900-12-3456 or 123-00-4567",  # ranges the SSA never issues
    "slot 123e4567-e89b-12d3-a456-426614174000",  # a UUID's digit groups
    "I'm at 12 34 56 a cafe",  # spaced lower case is prose, not a NINO
    "Priced $45.00, open 10:30-11:00 on 11/26",
    "tracking 1Z999AA10123456784",
    "2 people at 3",
    "four one one one one one one one one one one one one one one two",  # spoken, but the checksum fails
    "one two three four five six seven",  # seven spoken digits: no card, no whole phone number
    "+999 1234 5678",  # no such country code
]


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVES)
def test_personal_data_is_found_with_its_kind_and_normalised_value(text, kind, value):
    found = find_pii(text)
    assert [(match.kind, match.value) for match in found] == [(kind, value)]
    assert f"[{kind.value}]" in redact(text)


@pytest.mark.parametrize("text", NEGATIVES)
def test_look_alikes_are_not_personal_data(text):
    assert find_pii(text) == []
    assert redact(text) == text


def test_redaction_replaces_every_kind_and_keeps_the_rest():
    text = "Maria, 555-234-5678, maria@example.com, card 4111 1111 1111 1111, SSN 219-09-9998, NI JG103756A."
    assert redact(text) == "Maria, [PHONE], [EMAIL], card [CARD], SSN [SSN], NI [NINO]."


def test_digits_inside_an_email_stay_part_of_the_email():
    assert redact("mail jane.5552345678@example.com") == "mail [EMAIL]"


def test_a_phone_typed_beside_another_number_is_still_found():
    assert redact("my number is 555 234 5678 2 people tomorrow") == "my number is [PHONE] 2 people tomorrow"


def test_a_card_followed_by_its_security_code_is_still_found():
    assert redact("4111 1111 1111 1111 123") == "[CARD] 123"


def test_luhn():
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("1234567890123456")


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("+15552345678", "555-234-5678", True),
        ("+447700900123", "07700 900123", True),
        ("+15552345678", "+15559876543", False),
        ("+15552345678", "chat-7f0c2a52", False),
    ],
)
def test_same_phone_compares_national_numbers(first, second, same):
    assert same_phone(first, second) is same


def test_input_redacts_cards_but_lets_a_customer_give_their_own_phone():
    assert input_rules("card 4111 1111 1111 1111") == {"pii"}
    assert input_rules("book me in, my number is 555-234-5678 and email maria@example.com") == set()


def test_output_blocks_a_card_number_in_a_reply():
    assert output_rules("Your card 4111 1111 1111 1111 is on file.") == {"pii"}


@pytest.mark.parametrize("text", ["1" * 60 + "a", "1-" * 5000, "555 234 5678 " * 2000, "x@" * 5000])
def test_long_hostile_input_is_scanned_in_linear_time(text):
    # A digit run that fails at its end once made the number pattern try every split of it: 2^n steps.
    started = time.perf_counter()
    find_pii(text)
    assert time.perf_counter() - started < 2
