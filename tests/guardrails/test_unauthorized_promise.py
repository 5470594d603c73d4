"""Replies must not commit the business to refunds, discounts, waived fees or guarantees; saying they can't is
fine."""

import pytest

from tests.guardrails.helpers import output_rules

PROMISES = [
    "I'll refund your deposit today.",
    "I’ll go ahead and refund the full amount.",  # curly apostrophe, as LLMs write it
    "You will get a full refund within 5 days.",
    "You'll receive a 20% discount on your next visit.",
    "We'll waive the fee this time.",
    "We can waive your cancellation fee.",
    "I can't do Friday, but I'll refund your deposit.",
    "No problem, I'll refund you.",
    "Satisfaction guaranteed!",
    "Your consultation is free of charge.",
    "The next trim is on the house.",
    "Enjoy 20% off your next visit!",
    "As a goodwill gesture, we'll send you a voucher.",
    "I'll issue a full refund right away.",
]
NOT_PROMISES = [
    "I can't promise a refund, but our team will review it.",
    "Refunds are handled by our team; I've opened a ticket.",
    "I can't guarantee that slot will still be free.",
    "I'll pass your refund request to the team.",
    "I'll check whether you'll get a refund.",
    "We will not refund no-shows, sorry.",
    "Unfortunately we're unable to waive the fee.",
    "I'm not able to offer discounts, but Tuesday has openings.",
    "Would you like me to ask the manager about your deposit?",
    "Your haircut with Dana is booked for Friday at 3pm.",
]


@pytest.mark.parametrize("text", PROMISES)
def test_forbidden_commitments_are_blocked(text):
    assert output_rules(text) == {"unauthorized_promise"}


@pytest.mark.parametrize("text", NOT_PROMISES)
def test_negated_hedged_or_deflecting_replies_pass(text):
    assert output_rules(text) == set()
