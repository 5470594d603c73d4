"""Each way of writing a date, resolved against Wednesday 2026-11-25 in the business time zone."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.agent.nlu.shop import (
    BUSINESS_ZONE,
    DECEMBER_3,
    DECEMBER_5,
    FRIDAY,
    MONDAY,
    NEXT_WEDNESDAY,
    SATURDAY,
    SUNDAY,
    THURSDAY,
    TODAY,
    TUESDAY,
    read,
)

DATE_FORMS = [
    ("today", TODAY),
    ("tonight", TODAY),
    ("this afternoon", TODAY),
    ("tomorrow", THURSDAY),
    ("tmrw", THURSDAY),
    ("tommorow", THURSDAY),
    ("the day after tomorrow", FRIDAY),
    ("day after tomorrow", FRIDAY),
    ("yesterday", dt.date(2026, 11, 24)),
    ("in 3 days", SATURDAY),
    # A bare or "this" weekday is the coming one, today included.
    ("Friday", FRIDAY),
    ("friday", FRIDAY),
    ("fri", FRIDAY),
    ("on sat", SATURDAY),
    ("sunday", SUNDAY),
    ("Wednesday", TODAY),
    ("this Saturday", SATURDAY),
    ("this coming Monday", MONDAY),
    ("this Monday", MONDAY),
    ("Wensday", TODAY),
    ("thrusday", THURSDAY),
    # "next <weekday>" is the first one strictly after today.
    ("next Tuesday", TUESDAY),
    ("Tuesday", TUESDAY),
    ("next Wednesday", NEXT_WEDNESDAY),
    ("next thursday", THURSDAY),
    ("tuesday next week", TUESDAY),
    ("next week on thursday", DECEMBER_3),
    ("last friday", dt.date(2026, 11, 20)),
    ("this weekend", SATURDAY),
    ("next weekend", DECEMBER_5),
    # Month and day: a date already past this year is next year's.
    ("Dec 3", DECEMBER_3),
    ("Dec. 3", DECEMBER_3),
    ("December 3rd", DECEMBER_3),
    ("december third", DECEMBER_3),
    ("3 Dec", DECEMBER_3),
    ("the 3rd of December", DECEMBER_3),
    ("Nov 25", TODAY),
    ("Nov 20", dt.date(2027, 11, 20)),
    ("jan 15", dt.date(2027, 1, 15)),
    ("Febuary 2nd", dt.date(2027, 2, 2)),
    ("December 3, 2027", dt.date(2027, 12, 3)),
    # US month/day.
    ("12/3", DECEMBER_3),
    ("1/15", dt.date(2027, 1, 15)),
    ("12/03/2026", DECEMBER_3),
    ("12/3/27", dt.date(2027, 12, 3)),
    ("2026-12-03", DECEMBER_3),
    # Holidays are the coming one.
    ("thanksgiving", THURSDAY),
    ("christmas eve", dt.date(2026, 12, 24)),
    ("new year's day", dt.date(2027, 1, 1)),
    # A day of the month alone is the coming one.
    ("on the 5th", DECEMBER_5),
    ("the 28th", SATURDAY),
    ("25th", TODAY),
    ("the 31st", dt.date(2026, 12, 31)),
    ("Thursday the 3rd", DECEMBER_3),
    # Whole weeks after a day: "a week from today" is not today, "Friday week" is not this Friday.
    ("a week from today", NEXT_WEDNESDAY),
    ("a week today", NEXT_WEDNESDAY),
    ("a week tomorrow", DECEMBER_3),
    ("two weeks from friday", dt.date(2026, 12, 11)),
    ("Friday week", dt.date(2026, 12, 4)),
    ("a week on Friday", dt.date(2026, 12, 4)),
    ("in 10 days", DECEMBER_5),
    ("in two days", FRIDAY),
    # A numeric date that only reads day first, or one written with dots, is read day first.
    ("14/12", dt.date(2026, 12, 14)),
    ("25/12/2026", dt.date(2026, 12, 25)),
    ("15.12.2026", dt.date(2026, 12, 15)),
    ("03.12.2026", DECEMBER_3),
    ("28.11", SATURDAY),
]


@pytest.mark.parametrize(("written", "date"), DATE_FORMS, ids=[written for written, _ in DATE_FORMS])
def test_date_form(written, date):
    assert read(f"can I come in {written}?").date == date


@pytest.mark.parametrize(
    "text",
    [
        "This is the third time this happened",
        "I sat in the waiting room for ages",
        "the sun was in my eyes",
        "we may need two chairs",
        "the 2nd time I ask",
        "c'mon",
        "I'll be on the 5th floor",
        "is there a 1/2 price deal",
        "24/7 support",
        "it costs 4.15",
        "13/13",
        "version 2.30",
    ],
)
def test_words_that_only_look_like_dates(text):
    assert read(text).date is None


def test_later_date_wins_over_the_one_being_replaced():
    assert read("move it from Friday to Monday").date == MONDAY
    assert read("Monday instead of Friday").date == MONDAY
    assert read("not Friday, Saturday").date == SATURDAY


def test_dates_roll_into_next_year_at_the_end_of_december():
    new_years_eve = dt.datetime(2026, 12, 30, 9, 0, tzinfo=BUSINESS_ZONE)
    assert read("Jan 2", now=new_years_eve).date == dt.date(2027, 1, 2)
    assert read("on the 2nd", now=new_years_eve).date == dt.date(2027, 1, 2)
    assert read("12/31", now=new_years_eve).date == dt.date(2026, 12, 31)
    assert read("next friday", now=new_years_eve).date == dt.date(2027, 1, 1)


def test_dates_are_resolved_in_the_business_time_zone():
    late_evening = dt.datetime(2026, 11, 25, 23, 30, tzinfo=BUSINESS_ZONE)  # already the 26th in UTC
    assert late_evening.astimezone(dt.UTC).date() == THURSDAY
    assert read("tomorrow", now=late_evening).date == THURSDAY
    assert read("today", now=late_evening).date == TODAY


def test_clock_must_be_timezone_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        read("tomorrow", now=dt.datetime(2026, 11, 25, 10, 0))


def test_a_date_that_reads_both_ways_follows_the_business_time_zone():
    london = dt.datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    assert read("3/12").date == dt.date(2027, 3, 12)  # New York writes the month first
    assert read("3/12", now=london).date == DECEMBER_3
    assert read("12/3").date == DECEMBER_3
    assert read("12/3", now=london).date == dt.date(2027, 3, 12)
    assert read("14/12", now=london).date == read("14/12").date == dt.date(2026, 12, 14)


def test_a_weekday_named_with_next_week_is_one_day_not_a_span():
    understanding = read("next week on thursday")
    assert (understanding.date, understanding.date_range) == (DECEMBER_3, None)
