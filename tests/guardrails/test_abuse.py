"""Abuse is caught through common disguises; frustration, innocent words that contain a listed one, and idioms
are not."""

import pytest

from backend.guardrails.engine import check_input
from tests.guardrails.helpers import CONFIG, input_rules

POSITIVES = [
    "fuck this, I've waited three weeks",
    "this is the third f*cking time you moved me",
    "f**k off",
    "what a load of bullsh!t",
    "sh1t service honestly",
    "you absolute a$$hole",
    "F U C K your salon",
    "f.u.c.k.i.n.g useless",
    "fuuuuck why is this so hard",
    "stupid b*tch bot",
    "fvck you",
    "you're a useless idiot",
    "your staff are complete morons",
    "u r so stupid",
    "I will find you and hurt you",
    "I'm going to burn the place down",
    "kys",
    "go kill yourself",
    "piss off",
]

NEGATIVES = [
    "this is really frustrating, I've been waiting all week",
    "I'm so annoyed, third time I've been rescheduled",
    "What the heck, I booked for 3",
    "damn, I missed it",
    "This is ridiculous, your website is useless",  # harsh about the site, not abuse of a person
    "Do you have a branch near Scunthorpe?",
    "I'd like a cocktail after my massage",
    "The class was great, I passed my assessment",
    "Can I get a shiitake mushroom face mask?",
    "I'll kill some time at the cafe till 3",
    "you're killing it, thanks!",
    "my son got an A* in his exam",
    "Hancock Street branch please",
    "Ask for Dick at the front desk",
]


@pytest.mark.parametrize("text", POSITIVES)
def test_abusive_language_is_flagged(text):
    result = check_input(text, config=CONFIG)
    assert "abuse" in {finding.rule for finding in result.findings}
    assert not result.blocked  # v1 flags abuse for a human to see; the agent still answers


@pytest.mark.parametrize("text", NEGATIVES)
def test_frustration_and_innocent_words_are_not_abuse(text):
    assert "abuse" not in input_rules(text)


def test_the_finding_says_which_kind_of_abuse():
    (profanity,) = check_input("sh1t", config=CONFIG).findings
    (insult,) = check_input("you're an idiot", config=CONFIG).findings
    (threat,) = check_input("I know where you live", config=CONFIG).findings
    assert "profanity" in profanity.message
    assert "insult" in insult.message
    assert "threat" in threat.message
