"""Phone numbers as the product stores them (E.164, "+15551234567"), read with phonenumbers (libphonenumber).

Ground floor: the agent's NLU (numbers a customer gives) and the guardrails (numbers in text to redact) read
phone numbers the same way. A number without a country code is read in DEFAULT_REGION.

A number is accepted when phonenumbers finds it complete for its country (not "local only": "123-4567" is no
number to call back). North American numbers are checked for shape only (ten digits, the area code starting
with 2-9), not against the list of assigned area codes: the fictional 555 numbers of demos and tests are
numbers too.
"""

from __future__ import annotations

from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneNumber, PhoneNumberFormat, ValidationResult

DEFAULT_REGION = "US"
NORTH_AMERICA = 1


def e164(written: str, *, region: str = DEFAULT_REGION) -> str | None:
    """The number written (digits, spaces, brackets, dashes, an optional "+country"), in E.164; None if it is
    none."""
    try:
        number = phonenumbers.parse(written, region)
    except NumberParseException:
        return None
    return _e164(number) if _callable(number) else None


def find_phone_numbers(text: str, *, region: str = DEFAULT_REGION) -> Iterator[tuple[int, int, str]]:
    """(start, end, E.164) of every phone number written in digits in the text, in reading order."""
    for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE):
        if _callable(match.number):
            yield match.start, match.end, _e164(match.number)


def _callable(number: PhoneNumber) -> bool:
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return False
    if number.country_code == NORTH_AMERICA:
        national = str(number.national_number)
        return len(national) == 10 and national[0] not in "01"
    return True


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
