"""Negation where it changes the action: requests denied, days, times and parts of the day ruled out."""

import datetime as dt

import pytest

from backend.agent.intents import Intent
from tests.agent.nlu.shop import FRIDAY, MONDAY, SATURDAY, THURSDAY, TODAY, TUESDAY, read


@pytest.mark.parametrize(
    ("text", "date", "ruled_out"),
    [
        ("any day but Monday", MONDAY, (MONDAY,)),
        ("not monday", MONDAY, (MONDAY,)),
        ("anything except Friday", FRIDAY, (FRIDAY,)),
        ("Friday, not Saturday", FRIDAY, (SATURDAY,)),
        ("I can't do Friday but Monday works", MONDAY, (FRIDAY,)),
        ("Monday doesn't work for me", MONDAY, (MONDAY,)),
        ("friday's no good", FRIDAY, (FRIDAY,)),
        ("I'm busy Tuesday", TUESDAY, (TUESDAY,)),
        ("not sure, maybe Friday", FRIDAY, ()),
        ("no, Friday works better", FRIDAY, ()),
        ("move it from Friday to Monday", MONDAY, ()),
    ],
)
def test_a_ruled_out_day_is_reported_beside_the_day_named(text, date, ruled_out):
    heard = read(text)
    assert (heard.date, heard.ruled_out_dates) == (date, ruled_out)


@pytest.mark.parametrize(
    ("text", "time", "ruled_out"),
    [
        ("haircut friday, not at 9", None, (dt.time(9),)),
        ("anything but 3pm", None, (dt.time(15),)),
        ("3pm doesn't work", None, (dt.time(15),)),
        ("not sure, 3pm?", dt.time(15), ()),
    ],
)
def test_a_ruled_out_time_is_never_the_time_asked_for(text, time, ruled_out):
    heard = read(text)
    assert (heard.time, heard.ruled_out_times) == (time, ruled_out)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("friday but not in the morning", "afternoon"),
        ("no mornings please", "afternoon"),
        ("not in the afternoon", "morning"),
        ("not in the evening", None),
        ("friday morning", "morning"),
    ],
)
def test_a_ruled_out_part_of_the_day_leaves_the_other(text, part):
    assert read(text).time_of_day == part


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Not looking to book, what are your hours?", Intent.AVAILABILITY),
        ("I don't need an appointment, just a question", None),
        ("I didn't book this, why was I charged", Intent.PROBLEM),
        ("I don't have a problem, just a question", None),
        ("no issues, all good", None),
        ("I don't want to reschedule", None),
        ("what's your refund policy?", None),
        ("do you give refunds?", None),
        ("That doesn't work for me", None),
        ("Friday doesn't work for me", None),
        # The request itself, not denied:
        ("I want a refund", Intent.PROBLEM),
        ("the link doesn't work for me", Intent.PROBLEM),
        ("the website doesn't work", Intent.PROBLEM),
        ("I'm not happy with my haircut", Intent.PROBLEM),
        ("I don't know how to book a massage", Intent.BOOK),
        ("I no longer need my appointment", Intent.CANCEL),
    ],
)
def test_a_denied_request_is_not_the_intent(text, intent):
    heard = read(text)
    if intent is None:
        assert heard.intent not in (
            Intent.BOOK,
            Intent.CANCEL,
            Intent.RESCHEDULE,
            Intent.PROBLEM,
            Intent.HUMAN,
        )
    else:
        assert (heard.intent, heard.carries_intent) == (intent, True)


def test_today_and_thursday_are_other_days_of_the_test_shop():
    # The shop's clock is a Wednesday: "not today" rules today out, Thursday stays the day asked for.
    heard = read("Thursday please, not today")
    assert (heard.date, heard.ruled_out_dates) == (THURSDAY, (TODAY,))
