"""What a customer can want, as the rules policy understands it."""

from enum import Enum


class Intent(str, Enum):
    BOOK = "BOOK"
    RESCHEDULE = "RESCHEDULE"
    CANCEL = "CANCEL"
    LOOKUP = "LOOKUP"  # when is my appointment?
    AVAILABILITY = "AVAILABILITY"
    PROBLEM = "PROBLEM"
    HUMAN = "HUMAN"
    GREETING = "GREETING"
    THANKS = "THANKS"
    OUT_OF_SCOPE = "OUT_OF_SCOPE"
