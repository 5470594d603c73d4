"""Windows of start times ("between 2 and 4", "after 3", "before 11", "3 or 4"): offered, never booked as
is."""

import datetime as dt

import pytest

from backend.agent.nlu.time_windows import TimeWindow
from tests.agent.nlu.shop import read

T = dt.time

WINDOWS = [
    ("between 2 and 4", TimeWindow(earliest=T(14), latest=T(16))),
    ("between 2pm and 4pm", TimeWindow(earliest=T(14), latest=T(16))),
    ("from 2 to 4", TimeWindow(earliest=T(14), latest=T(16))),
    ("2-4pm", TimeWindow(earliest=T(14), latest=T(16))),
    ("between 9 and 11am", TimeWindow(earliest=T(9), latest=T(11))),
    ("between 11 and 1pm", TimeWindow(earliest=T(11), latest=T(13))),
    ("between 10:30 and noon", TimeWindow(earliest=T(10, 30), latest=T(12))),
    ("after 3", TimeWindow(earliest=T(15))),
    ("any time after 3pm", TimeWindow(earliest=T(15))),
    ("3 or later", TimeWindow(earliest=T(15))),
    ("from 4 onwards", TimeWindow(earliest=T(16))),
    ("not before 3", TimeWindow(earliest=T(15))),
    ("no earlier than 10am", TimeWindow(earliest=T(10))),
    ("before 11", TimeWindow(latest=T(11))),
    ("not after 4", TimeWindow(latest=T(16))),
    ("no later than 2", TimeWindow(latest=T(14))),
    ("at 3 or 4", TimeWindow(choices=(T(15), T(16)))),
    ("at 3 or 3:30", TimeWindow(choices=(T(15), T(15, 30)))),
    ("10am or 11am", TimeWindow(choices=(T(10), T(11)))),
]


@pytest.mark.parametrize(("written", "window"), WINDOWS, ids=[written for written, _ in WINDOWS])
def test_window(written, window):
    understanding = read(f"can I come in friday {written}")
    assert (understanding.time, understanding.time_window) == (None, window)


def test_either_time_closing_a_request_or_answering_what_time():
    assert read("beard trim friday, 3 or 4?").time_window == TimeWindow(choices=(T(15), T(16)))
    assert read("3 or 4?").time_window == TimeWindow(choices=(T(15), T(16)))
    assert read("maybe 2 or 3", expecting="time").time_window == TimeWindow(choices=(T(14), T(15)))


@pytest.mark.parametrize(
    "text",
    [
        "there are 3 or 4 of us",
        "a table for 3 or 4",
        "2 to 4 people",
        "it took 2 or 3 weeks",
    ],
)
def test_counts_are_no_window(text):
    understanding = read(text)
    assert (understanding.time, understanding.time_window) == (None, None)


def test_moving_from_one_time_to_another_is_no_window():
    understanding = read("can you move me from 3pm to 5pm")
    assert (understanding.time, understanding.time_window) == (T(17), None)


def test_minutes_after_an_hour_are_one_time_not_a_window():
    assert read("quarter after 3").time == T(15, 15)
    assert read("quarter after 3").time_window is None


def test_a_window_admits_the_start_times_inside_it():
    afternoon = TimeWindow(earliest=T(14), latest=T(16))
    assert [afternoon.admits(T(hour, minute)) for hour, minute in ((13, 30), (14, 0), (15, 30), (16, 0))] == [
        False,
        True,
        True,
        False,
    ]
    assert TimeWindow(choices=(T(15), T(16))).admits(T(16)) and not TimeWindow(choices=(T(15),)).admits(
        T(15, 30)
    )
