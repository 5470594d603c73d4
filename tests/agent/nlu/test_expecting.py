"""A bare answer fills the slot the agent just asked for, and only that slot."""

import datetime as dt

import pytest

from backend.agent.intents import Intent
from tests.agent.nlu.shop import DECEMBER_5, FRIDAY, read


@pytest.mark.parametrize(
    ("text", "expecting", "slot", "value"),
    [
        ("3", "time", "time", dt.time(15, 0)),
        ("10?", "time", "time", dt.time(10, 0)),
        ("ten please", "time", "time", dt.time(10, 0)),
        ("530 works", "time", "time", dt.time(17, 30)),
        ("5", "date", "date", DECEMBER_5),
        ("the 5 works", "date", "date", DECEMBER_5),
        ("Maria Lopez", "name", "name", "Maria Lopez"),
        ("tom becker", "name", "name", "Tom Becker"),
        ("it's tom becker", "name", "name", "Tom Becker"),
        ("sure it's o'brien", "name", "name", "O'Brien"),
        ("hrcut", "service", "service", "haircut"),
    ],
)
def test_bare_answer_fills_the_slot_asked_for(text, expecting, slot, value):
    answered = read(text, expecting=expecting)
    assert getattr(answered, slot) == value
    assert not answered.carries_intent
    assert getattr(read(text), slot) is None  # the same words, unasked, are not an answer


@pytest.mark.parametrize(
    ("text", "expecting", "slot", "value"),
    [
        ("Friday", "date", "date", FRIDAY),
        ("3pm", "time", "time", dt.time(15, 0)),
        ("how about 4", "time", "time", dt.time(16, 0)),
        ("My name is Maria Lopez.", "name", "name", "Maria Lopez"),
        ("it's Maria Lopez", "name", "name", "Maria Lopez"),
        ("555-123-4567", "phone", "phone", "+15551234567"),
        ("massage", "service", "service", "massage"),
    ],
)
def test_answer_that_is_clear_on_its_own_needs_no_expectation(text, expecting, slot, value):
    assert getattr(read(text, expecting=expecting), slot) == value
    assert getattr(read(text), slot) == value


@pytest.mark.parametrize(
    ("text", "expecting"),
    [
        ("this is the third time", "name"),
        ("yes", "name"),
        ("tomorrow at 3", "name"),
        ("3pm works for me", "name"),
        ("sorry what", "name"),
        ("there are 2 of us", "time"),
        ("that one", "time"),
    ],
)
def test_answers_that_do_not_fill_the_slot(text, expecting):
    understanding = read(text, expecting=expecting)
    assert getattr(understanding, expecting) is None


def test_a_time_is_not_read_as_a_day_when_a_date_is_expected():
    understanding = read("at 3", expecting="date")
    assert (understanding.date, understanding.time) == (None, dt.time(15, 0))


def test_a_new_request_while_a_slot_is_expected_still_carries_its_intent():
    understanding = read("actually can I cancel instead", expecting="name")
    assert (understanding.intent, understanding.name) == (Intent.CANCEL, None)
    assert understanding.carries_intent


def test_unknown_slot_is_refused():
    with pytest.raises(ValueError, match="expecting"):
        read("3pm", expecting="colour")
