"""Answers to a question the agent asked: a position, every one, yes, none of them, never mind, hold on."""

import pytest

from backend.agent.nlu.choices import (
    agrees,
    backs_out,
    declines,
    find_ordinal,
    find_position,
    holds_on,
    means_every_one,
    says_no,
    turns_down_options,
)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("the first one", 0),
        ("2nd", 1),
        ("the third please", 2),
        ("the last one", -1),
        ("Second one!", 1),
        ("the first time I came", None),
        ("last week", None),
        ("the haircut", None),
    ],
)
def test_a_position_is_read_from_the_answer(text, position):
    assert find_ordinal(text) == position


@pytest.mark.parametrize(
    ("text", "every"),
    [
        ("both", True),
        ("all of them please", True),
        ("cancel them all", True),
        ("the first one", False),
        ("ball", False),
    ],
)
def test_both_or_all_picks_every_listed_one(text, every):
    assert means_every_one(text) is every


@pytest.mark.parametrize(
    ("text", "no"),
    [
        ("no", True),
        ("no thanks", True),
        ("never mind", True),
        ("nvm", True),
        ("keep it", True),
        ("not now", True),
        ("yes", False),
        ("the one on monday", False),
        ("nobody told me", False),
    ],
)
def test_a_plain_no_declines(text, no):
    assert declines(text) is no


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("number one", 0),
        ("option 2", 1),
        ("#3", 2),
        ("choice two please", 1),
        ("the 2nd option", 1),
        ("uh the second one", 1),
        ("the earlier one", 0),
        ("the later time", -1),
        ("the last one", -1),
        ("option 2 at 3pm", 1),
        ("the 9:30 one", None),
        ("my number is 555 0100", None),
        ("at 2", None),
        ("number 2pm", None),
        ("first thing in the morning", None),
    ],
)
def test_an_offered_option_is_picked_by_position_never_as_a_clock_time(text, position):
    assert find_position(text) == position


@pytest.mark.parametrize(
    ("text", "yes"),
    [
        ("yes", True),
        ("that one", True),
        ("sure, that one thanks", True),
        ("ok", True),
        ("yes please", True),
        ("sounds good", True),
        ("I'll take it", True),
        ("yes but friday", False),
        ("no", False),
        ("yes the 10am", False),
        ("that one on monday", False),
    ],
)
def test_a_plain_yes_names_nothing(text, yes):
    assert agrees(text) is yes


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("none of those", "other"),
        ("neither", "other"),
        ("no", "other"),
        ("those don't work", "other"),
        ("that doesn't work for me", "other"),
        ("any other times?", "other"),
        ("anything later?", "later"),
        ("something a bit earlier", "earlier"),
        ("the first one", None),
        ("yes", None),
        ("neither do i", None),
    ],
)
def test_turning_the_options_down(text, direction):
    assert turns_down_options(text) == direction


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("never mind", True),
        ("nvm", True),
        ("forget it", True),
        ("oh actually scratch that", True),
        ("cancel that", True),
        ("I changed my mind", True),
        ("no thanks", True),
        ("no, never mind", True),
        ("pass", True),
        ("pass me to a person", False),
        ("cancel my appointment", False),
        ("never been here", False),
        ("the first one", False),
    ],
)
def test_backing_out(text, out):
    assert backs_out(text) is out


@pytest.mark.parametrize(
    ("text", "waiting"),
    [
        ("wait", True),
        ("one sec", True),
        ("brb", True),
        ("hold on a sec", True),
        ("let me check", True),
        ("hang on, let me ask my wife", True),
        ("wait, when is my other appointment and can I move it?", False),
        ("Walter", False),
    ],
)
def test_asking_the_agent_to_wait(text, waiting):
    assert holds_on(text) is waiting


@pytest.mark.parametrize(
    ("text", "no"), [("no", True), ("nope.", True), ("Nah", True), ("no thanks", False), ("Noah", False)]
)
def test_a_bare_no(text, no):
    assert says_no(text) is no
