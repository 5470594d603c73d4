"""Each way of writing a time, and parts of the day."""

import datetime as dt

import pytest

from tests.agent.nlu.shop import FRIDAY, read

TIME_FORMS = [
    ("3pm", dt.time(15, 0)),
    ("3 pm", dt.time(15, 0)),
    ("3 p.m.", dt.time(15, 0)),
    ("3p", dt.time(15, 0)),
    ("9am", dt.time(9, 0)),
    ("12pm", dt.time(12, 0)),
    ("12am", dt.time(0, 0)),
    ("3:30pm", dt.time(15, 30)),
    ("3:30 PM", dt.time(15, 30)),
    ("4.15pm", dt.time(16, 15)),
    ("15:30", dt.time(15, 30)),
    ("530pm", dt.time(17, 30)),
    ("1030am", dt.time(10, 30)),
    ("noon", dt.time(12, 0)),
    ("midday", dt.time(12, 0)),
    ("half past 2", dt.time(14, 30)),
    ("quarter to 4", dt.time(15, 45)),
    ("a quarter past 11", dt.time(11, 15)),
    ("ten to four", dt.time(15, 50)),
    ("9 o'clock", dt.time(9, 0)),
    ("three pm", dt.time(15, 0)),
    ("three thirty", dt.time(15, 30)),
    ("ten fifteen", dt.time(10, 15)),
    ("3ish", dt.time(15, 0)),
    # Without am/pm, 1-7 is afternoon or evening and 8-11 is morning: the hours a shop is open.
    ("10:30", dt.time(10, 30)),
    ("1:30", dt.time(13, 30)),
    ("7:45", dt.time(19, 45)),
    ("12:30", dt.time(12, 30)),
    ("at 9", dt.time(9, 0)),
    ("at 5", dt.time(17, 0)),
    ("at 12", dt.time(12, 0)),
    ("around 4", dt.time(16, 0)),
    ("at three", dt.time(15, 0)),
    # A part of the day said with the hour settles it.
    ("7 in the morning", dt.time(7, 0)),
    ("tomorrow morning at 7", dt.time(7, 0)),
    ("9 tonight", dt.time(21, 0)),
    ("10:30 tonight", dt.time(22, 30)),
    ("friday evening at 8", dt.time(20, 0)),
    # Dots, lost colons and British halves.
    ("at 2.30", dt.time(14, 30)),
    ("around 10.45", dt.time(10, 45)),
    ("14.30", dt.time(14, 30)),
    ("3 30 pm", dt.time(15, 30)),
    ("at 3 30", dt.time(15, 30)),
    ("half 4", dt.time(16, 30)),
    ("half 9", dt.time(9, 30)),
]


@pytest.mark.parametrize(("written", "time"), TIME_FORMS, ids=[written for written, _ in TIME_FORMS])
def test_time_form(written, time):
    understanding = read(f"can I come in {written}")
    assert understanding.time == time
    assert understanding.time_of_day is None  # a clock time says more than a part of the day


@pytest.mark.parametrize(
    ("written", "part"),
    [
        ("tomorrow morning", "morning"),
        ("in the afternoon", "afternoon"),
        ("friday evening", "evening"),
        ("tonight", "evening"),
        ("saturday night", "evening"),
        ("tomorrow am", "morning"),
        ("monday pm", "afternoon"),
        ("first thing", "morning"),
        ("after work", "evening"),
    ],
)
def test_part_of_day(written, part):
    understanding = read(f"anything {written}?")
    assert (understanding.time, understanding.time_of_day) == (None, part)


@pytest.mark.parametrize(
    "text",
    [
        "I was charged twice",
        "there are 2 of us",
        "I tried two browsers already",
        "it took about 2 weeks",
        "for 3 people please",
        "at one point the page froze",
        "my order A-10293",
        "call me on 555-123-4567",
        "it costs $4.50",
        "12/3",
        "it costs 4.50",
        "half an hour is fine",
        "half price?",
        "version 2.30 of the app",
    ],
)
def test_numbers_that_are_not_times(text):
    assert read(text).time is None


def test_good_morning_greets_and_asks_for_no_morning():
    understanding = read("good morning, do you have anything friday?")
    assert understanding.time_of_day is None


def test_last_night_is_not_a_wanted_part_of_day():
    assert read("I called last night and nobody answered").time_of_day is None


def test_later_time_wins_over_the_one_being_replaced():
    assert read("can you move me from 3pm to 5pm").time == dt.time(17, 0)
    assert read("4:30 instead of 2").time == dt.time(16, 30)


def test_an_hour_right_after_the_day_is_the_time():
    understanding = read("Book haircut Friday 4")
    assert (understanding.service, understanding.date, understanding.time) == (
        "haircut",
        FRIDAY,
        dt.time(16, 0),
    )
    assert read("tomorrow at 10.30").time == dt.time(10, 30)
    assert read("friday 3 people").time is None
