"""Answers to "what name should I put the booking under?": real names in any script, never fillers."""

import pytest

from tests.agent.nlu.shop import read


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("José García", "José García"),
        ("Jose\u0301 Garci\u0301a", "José García"),  # accents typed as combining marks read the same
        ("Zoë", "Zoë"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("王小明", "王小明"),
        ("Анна Петрова", "Анна Петрова"),
        ("محمد علي", "محمد علي"),
        ("maria de la cruz", "Maria De La Cruz"),
        ("josé garcía", "José García"),
        ("Liam, thanks", "Liam"),
        ("it's Zoë", "Zoë"),
        ("Mary-Jane O'Brien", "Mary-Jane O'Brien"),
        ("Jo", "Jo"),
    ],
)
def test_a_real_name_is_accepted_whatever_its_script(text, name):
    assert read(text, expecting="name").name == name


@pytest.mark.parametrize(
    "text",
    [
        "wait",
        "brb",
        "idk",
        "Cool",
        "one sec",
        "hold on",
        "give me a sec",
        "Thanks",
        "lol",
        "k",
        "J",
        "why?",
        "Sam?",
        "ok",
        "no",
        "dunno",
        "whatever",
        "nguyen van an",
    ],
)
def test_a_filler_is_not_a_name(text):
    assert read(text, expecting="name").name is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my name is Nguyễn Văn An", "Nguyễn Văn An"),
        ("I'm Zoë", "Zoë"),
        ("Zoë here, can I book a haircut?", "Zoë"),
        ("see you then - Zoë", "Zoë"),
    ],
)
def test_a_name_in_a_sentence_may_have_accents(text, name):
    assert read(text).name == name
