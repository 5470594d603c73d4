"""Answers to "which one?": a position, every one, or a plain no."""

import pytest

from backend.agent.nlu.choices import declines, find_ordinal, means_every_one


@pytest.mark.parametrize(
    ("text", "position"),
    [("the first one", 0), ("2nd", 1), ("the third please", 2), ("the last one", -1), ("Second one!", 1),
     ("the first time I came", None), ("last week", None), ("the haircut", None)],
)
def test_a_position_is_read_from_the_answer(text, position):
    assert find_ordinal(text) == position


@pytest.mark.parametrize(("text", "every"), [("both", True), ("all of them please", True), ("cancel them all", True),
                                              ("the first one", False), ("ball", False)])
def test_both_or_all_picks_every_listed_one(text, every):
    assert means_every_one(text) is every


@pytest.mark.parametrize(("text", "no"), [("no", True), ("no thanks", True), ("never mind", True), ("nvm", True),
                                           ("keep it", True), ("not now", True), ("yes", False),
                                           ("the one on monday", False), ("nobody told me", False)])
def test_a_plain_no_declines(text, no):
    assert declines(text) is no
