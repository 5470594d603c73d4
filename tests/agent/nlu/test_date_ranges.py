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
