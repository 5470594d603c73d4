"""Spans of days ("next week", "in two weeks", "end of the month"), from Wednesday 2026-11-25."""

import datetime as dt

import pytest

from backend.agent.nlu.date_ranges import DateRange
from tests.agent.nlu.shop import BUSINESS_ZONE, DECEMBER_3, FRIDAY, MONDAY, SUNDAY, THURSDAY, TODAY, read

DECEMBER_6 = dt.date(2026, 12, 6)

SPANS = [
    ("next week", MONDAY, DECEMBER_6),
    ("sometime next week", MONDAY, DECEMBER_6),
    ("this week", TODAY, SUNDAY),
    ("sometime this week", TODAY, SUNDAY),
    ("later this week", THURSDAY, SUNDAY),
    ("end of the week", THURSDAY, SUNDAY),
    ("early next week", MONDAY, dt.date(2026, 12, 2)),
    ("in two weeks", dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
    ("in 2 weeks", dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
    ("in a couple of weeks", dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
    ("in a fortnight", dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
    ("in a month", dt.date(2026, 12, 21), dt.date(2026, 12, 27)),
    ("end of the month", TODAY, dt.date(2026, 11, 30)),  # Nov 24-30, from today on
    ("next month", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ("over the next few days", TODAY, dt.date(2026, 11, 28)),
]


@pytest.mark.parametrize(("written", "first", "last"), SPANS, ids=[written for written, _, _ in SPANS])
def test_span_of_days(written, first, last):
    understanding = read(f"can I come in {written}?")
    assert (understanding.date, understanding.date_range) == (None, DateRange(first, last))


def test_a_span_is_searched_whole_not_guessed_as_one_day():
    understanding = read("haircut next week please")
    assert understanding.service == "haircut"
    assert understanding.date is None and understanding.date_range.days == 7


@pytest.mark.parametrize(
    "text",
    [
        "the tracking hasn't moved in a week",
        "I haven't heard back in two weeks",
        "the week after my surgery was awful",
        "it took about 2 weeks",
        "last week the page crashed",
    ],
)
def test_words_that_are_no_span_to_book_in(text):
    assert read(text).date_range is None


def test_a_single_day_says_more_than_a_span():
    understanding = read("next week, on thursday")
    assert (understanding.date, understanding.date_range) == (DECEMBER_3, None)


def test_a_span_wholly_in_the_past_is_not_read():
    friday_morning = dt.datetime(2026, 11, 27, 9, 0, tzinfo=BUSINESS_ZONE)
    assert read("early this week", now=friday_morning).date_range is None
    assert read("this week", now=friday_morning).date_range == DateRange(FRIDAY, SUNDAY)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("between the 3rd and the 6th", DECEMBER_3, DECEMBER_6),
        ("I'm free from monday to wednesday", MONDAY, dt.date(2026, 12, 2)),
        (
            "monday through wednesday",
            MONDAY,
            dt.date(2026, 12, 2),
        ),  # next Wednesday: the one after that Monday
        ("any time from friday to tuesday", FRIDAY, dt.date(2026, 12, 1)),
        ("Dec 3 - Dec 6", DECEMBER_3, DECEMBER_6),
        ("friday or saturday?", FRIDAY, dt.date(2026, 11, 28)),
        ("today or tomorrow", TODAY, THURSDAY),
    ],
)
def test_two_dates_joined_into_a_span(text, first, last):
    understanding = read(text)
    assert (understanding.date, understanding.date_range) == (None, DateRange(first, last))


def test_days_far_apart_as_a_choice_are_only_those_days_and_a_move_is_no_span():
    choice = read("monday or friday")
    assert (choice.date, choice.date_range) == (None, DateRange(FRIDAY, MONDAY, (FRIDAY, MONDAY)))
    moved = read("can you move my appointment from monday to friday")
    assert (moved.date, moved.date_range) == (FRIDAY, None)
