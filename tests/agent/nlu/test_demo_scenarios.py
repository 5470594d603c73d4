"""Every customer turn of the demo seed (fixtures/demo/scenarios.json), with every value its pools offer."""

import datetime as dt
import itertools
import json
import string

import pytest

from backend.agent.intents import Intent
from backend.settings import PROJECT_ROOT
from tests.agent.nlu.shop import DECEMBER_3, FRIDAY, MONDAY, SATURDAY, THURSDAY, TUESDAY, read

SCENARIOS = json.loads((PROJECT_ROOT / "fixtures" / "demo" / "scenarios.json").read_text())
DAYS = {
    "tomorrow": THURSDAY,
    "next Tuesday": TUESDAY,
    "Friday": FRIDAY,
    "Dec 3": DECEMBER_3,
    "this Saturday": SATURDAY,
    "Monday morning": MONDAY,
}
TIMES = {
    "3pm": dt.time(15, 0),
    "10:30": dt.time(10, 30),
    "9am": dt.time(9, 0),
    "15:30": dt.time(15, 30),
    "noon": dt.time(12, 0),
    "4:15pm": dt.time(16, 15),
}
NO_INTENT = None

# For each turn: the intent it carries (NO_INTENT when it only answers the agent) and the slot the agent had
# just asked for, as the rules policy would have it.
TURNS = {
    "Hi, can I book a {service} {day} at {time}?": (Intent.BOOK, None),
    "My name is {name}.": (NO_INTENT, "name"),
    "Great, thanks!": (Intent.THANKS, None),
    "Do you have anything for a {service} {day}?": (Intent.AVAILABILITY, None),
    "{time} works for me": (NO_INTENT, "time"),
    "{name}": (NO_INTENT, "name"),
    "I need to reschedule my {service} to {day}": (Intent.RESCHEDULE, None),
    "Anything around {time}?": (NO_INTENT, None),
    "Please cancel my appointment {day}, something came up. - {name}": (Intent.CANCEL, None),
    "What are your opening hours on Saturday?": (Intent.AVAILABILITY, None),
    "And do you take walk-ins?": (Intent.AVAILABILITY, None),
    "My order {order} arrived damaged, the box was crushed.": (Intent.PROBLEM, None),
    "I'd like a replacement please.": (Intent.PROBLEM, None),
    "The photos are attached.": (NO_INTENT, None),
    "I was charged twice for my last visit.": (Intent.PROBLEM, None),
    "Can someone look into it? It's really frustrating.": (Intent.PROBLEM, None),
    "The booking page keeps giving me an error when I pick {day}.": (Intent.PROBLEM, None),
    "I tried two browsers already.": (NO_INTENT, None),
    "Can I talk to a real person please?": (Intent.HUMAN, None),
    "This is the third time my appointment was moved without asking me. Unacceptable.": (
        Intent.PROBLEM,
        None,
    ),
    "I want to speak to a manager.": (Intent.HUMAN, None),
    "hi um yeah i'm calling to book a {service} for {day}": (Intent.BOOK, None),
    "uh {time} if you have it": (NO_INTENT, "time"),
    "it's {name}": (NO_INTENT, "name"),
    "hello i had an appointment {day} and i need to cancel it": (Intent.CANCEL, None),
    "yes the name is {name}": (NO_INTENT, "name"),
    "yeah hi my order {order} never showed up and the tracking hasn't moved in a week": (
        Intent.PROBLEM,
        None,
    ),
    "can you open a ticket or something": (Intent.PROBLEM, None),
    "i just want to know if you're open {day}": (Intent.AVAILABILITY, None),
    "Thanks so much, see you {day}!": (Intent.THANKS, None),
    # Two customers after the same massage slot: the second is offered other times and picks one.
    "Can I get a massage on Friday at 11am? I'm Nina Park": (Intent.BOOK, None),
    "book me a massage friday 11am please, this is Omar Reyes": (Intent.BOOK, None),
    "12pm then": (NO_INTENT, "time"),
}


# Turns whose slots are written out rather than drawn from the pools.
LITERAL_SLOTS = {
    "Can I get a massage on Friday at 11am? I'm Nina Park": {
        "service": "massage",
        "date": FRIDAY,
        "time": dt.time(11, 0),
        "name": "Nina Park",
    },
    "book me a massage friday 11am please, this is Omar Reyes": {
        "service": "massage",
        "date": FRIDAY,
        "time": dt.time(11, 0),
        "name": "Omar Reyes",
    },
    "12pm then": {"time": dt.time(12, 0)},
}


def _placeholders(template: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def _filled_turns():
    for scenario in SCENARIOS["scenarios"]:
        for template in scenario["turns"]:
            fields = _placeholders(template)
            for values in itertools.product(*(SCENARIOS["pools"][field] for field in fields)):
                yield template, dict(zip(fields, values, strict=True))


FILLED_TURNS = list(_filled_turns())


def _expected_slots(template: str, fill: dict[str, str]) -> dict:
    day = fill.get("day")
    expected = {
        "service": fill.get("service"),
        "date": DAYS[day] if day else (SATURDAY if "on Saturday" in template else None),
        "time": TIMES[fill["time"]] if "time" in fill else None,
        # "Monday morning" only stands as a part of the day when no clock time is given with it.
        "time_of_day": "morning" if day == "Monday morning" and "time" not in fill else None,
        "name": fill.get("name"),
        "phone": None,
        "order_ref": fill.get("order"),
    }
    return expected | LITERAL_SLOTS.get(template, {})


def test_every_demo_turn_has_an_expectation():
    templates = {template for scenario in SCENARIOS["scenarios"] for template in scenario["turns"]}
    assert templates == set(TURNS)
    assert set(DAYS) == set(SCENARIOS["pools"]["day"]) and set(TIMES) == set(SCENARIOS["pools"]["time"])


@pytest.mark.parametrize(
    ("template", "fill"), FILLED_TURNS, ids=[template.format(**fill)[:70] for template, fill in FILLED_TURNS]
)
def test_demo_turn_is_understood(template, fill):
    intent, expecting = TURNS[template]
    understanding = read(template.format(**fill), expecting=expecting)
    if intent is NO_INTENT:
        assert not understanding.carries_intent
    else:
        assert understanding.intent == intent and understanding.carries_intent
    slots = {name: getattr(understanding, name) for name in _expected_slots(template, fill)}
    assert slots == _expected_slots(template, fill)
