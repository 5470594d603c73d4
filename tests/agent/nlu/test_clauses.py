"""Messages cut into the requests they make, and requests that exclude each other."""

import pytest

from backend.agent.intents import Intent
from backend.agent.nlu.clauses import split_clauses
from tests.agent.nlu.shop import read


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        (
            "Can I book a haircut? Also I was double charged",
            ["Can I book a haircut?", "I was double charged"],
        ),
        (
            "cancel my friday haircut and book me a massage tuesday",
            ["cancel my friday haircut", "book me a massage tuesday"],
        ),
        ("cancel my appointment, I was double charged", ["cancel my appointment", "I was double charged"]),
        ("book a haircut friday, btw when is my massage?", ["book a haircut friday", "when is my massage?"]),
        ("I need a haircut and a beard trim", ["I need a haircut and a beard trim"]),
        ("Dr. Smith here, can I book a haircut?", ["Dr. Smith here, can I book a haircut?"]),
        ("tomorrow at 3 p.m. please", ["tomorrow at 3 p.m. please"]),
        ("3pm", ["3pm"]),
    ],
)
def test_a_message_is_cut_where_another_request_starts(text, pieces):
    assert split_clauses(text) == pieces


@pytest.mark.parametrize(
    ("text", "intent", "rival"),
    [
        ("I won't be able to make it, there's an issue with my car", Intent.PROBLEM, Intent.CANCEL),
        ("I need to cancel or reschedule my haircut", Intent.RESCHEDULE, Intent.CANCEL),
        ("I want to cancel because I was double charged", Intent.PROBLEM, Intent.CANCEL),
    ],
)
def test_rival_requests_in_one_message_are_a_guess(text, intent, rival):
    heard = read(text)
    assert (heard.intent, heard.rival) == (intent, rival)
    assert 0.3 < heard.confidence < 0.7  # carries an intent, below the policy's bar to act on it unasked


@pytest.mark.parametrize(
    "text",
    [
        "I can't make it tomorrow, can I reschedule for Friday?",
        "talk to a person about my double charge pls",
        "this is unacceptable, I want to talk to a manager",
        "I need to reschedule my haircut to Friday",
    ],
)
def test_one_request_and_its_parts_are_not_rivals(text):
    heard = read(text)
    assert heard.rival is None and heard.confidence >= 0.7


def test_an_implied_cancellation_carries_its_intent_but_is_not_clear():
    heard = read("I won't be able to make it tomorrow, sorry")
    assert heard.intent is Intent.CANCEL and 0.3 < heard.confidence < 0.7
