"""A reply may show the customer their own contact details and the business's, never anyone else's."""

import pytest

from backend.guardrails.config import parse_guardrails
from backend.guardrails.engine import check_output
from tests.guardrails.helpers import CONFIG, CUSTOMER, output_rules

OWN = [
    "We'll text your reminder to 555-234-5678.",
    "Reminder goes to +1 (555) 234-5678 the day before.",
    "Booked! Confirmation sent to 5552345678.",
]
OTHERS = [
    "The 3pm slot is John's, call him at 555-987-6543 to swap.",
    "I've copied the booking to maria.lopez@example.com.",
    "Your partner's number +44 7700 900123 is on the booking.",
]


@pytest.mark.parametrize("text", OWN)
def test_the_customers_own_number_may_be_repeated_back(text):
    assert output_rules(text, channel="SMS", customer=CUSTOMER) == set()


@pytest.mark.parametrize("text", OTHERS)
def test_someone_elses_contact_details_are_redacted(text):
    result = check_output(text, config=CONFIG, channel="SMS", customer=CUSTOMER)
    assert {finding.rule for finding in result.findings} == {"other_customer_pii"}
    assert "[PHONE]" in result.text or "[EMAIL]" in result.text
    assert not result.blocked


def test_a_customer_known_by_email_may_see_their_email_but_not_a_phone():
    result = check_output(
        "Booked for Maria@Example.com; the stylist's cell is 555-987-6543.",
        config=CONFIG,
        channel="CHAT",
        customer="maria@example.com",
    )
    assert result.text == "Booked for Maria@Example.com; the stylist's cell is [PHONE]."


def test_the_business_contacts_in_allowed_contacts_may_be_given_out():
    config = parse_guardrails(
        data={
            "version": "v1",
            "rules": [
                {
                    "rule": "other_customer_pii",
                    "stage": "OUTPUT",
                    "action": "REDACT",
                    "severity": "CRITICAL",
                    "params": {"allowed_contacts": ["+15553334444", "hello@salon.example"]},
                }
            ],
        },
        version="v1",
    )
    text = "Call the front desk on 555-333-4444 or mail hello@salon.example."
    assert check_output(text, config=config, channel="CHAT", customer=CUSTOMER).findings == []
