"""The cue phrases behind intent classification, one module per intent family, each cue with a strength.

Patterns run on plain text: lower case with punctuation turned into spaces and single spaces between words, so
a space in a pattern stands for any run of whitespace or punctuation in the message.
"""

from backend.agent.nlu.intent_cues.availability import ASKING_WHAT_IS_FREE
from backend.agent.nlu.intent_cues.base import CLEAR, HINT, STRONG, Cue
from backend.agent.nlu.intent_cues.booking import MAKING_A_BOOKING
from backend.agent.nlu.intent_cues.changes import CALLING_IT_OFF, LOOKING_UP_A_BOOKING, MOVING_AN_APPOINTMENT
from backend.agent.nlu.intent_cues.people import ASKING_FOR_A_PERSON
from backend.agent.nlu.intent_cues.problems import REPORTING_A_PROBLEM
from backend.agent.nlu.intent_cues.small_talk import (
    ACKNOWLEDGEMENT,
    GREETING,
    OFF_TOPIC_WORDS,
    OPEN_QUESTION_START,
    POLITE_REQUEST,
    THANKS,
)

CUES: tuple[Cue, ...] = (
    ASKING_FOR_A_PERSON
    + REPORTING_A_PROBLEM
    + MOVING_AN_APPOINTMENT
    + CALLING_IT_OFF
    + LOOKING_UP_A_BOOKING
    + MAKING_A_BOOKING
    + ASKING_WHAT_IS_FREE
)

__all__ = [
    "ACKNOWLEDGEMENT",
    "CLEAR",
    "CUES",
    "GREETING",
    "HINT",
    "OFF_TOPIC_WORDS",
    "OPEN_QUESTION_START",
    "POLITE_REQUEST",
    "STRONG",
    "THANKS",
    "Cue",
]
