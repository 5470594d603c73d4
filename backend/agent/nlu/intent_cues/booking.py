"""Asking for a new booking."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, STRONG, cue, words

NOT_A_BOOKING_REQUEST = (
    r"\bbooking (?:page|site|website|system|link|app|form|portal|tool)\b"
    r"|\b(?:my|the|your|this|that|our) booking\b"
)

MAKING_A_BOOKING = (
    cue(Intent.BOOK, STRONG, r"\bbook(?:ing)?\b", unless=NOT_A_BOOKING_REQUEST),
    cue(
        Intent.BOOK,
        STRONG,
        r"\b(?:schedule|reserve|set up|arrange|make|get) (?:me |us )?(?:in )?(?:for )?"
        r"(?:a|an|another|one|some) (?:new )?(?:appointment|booking|reservation|slot|session|visit|spot)\b",
        r"\bschedule (?:me|us|a|an|for|in)\b",
        r"\b(?:sign|put|fit|squeeze|get|pencil) me (?:up|in|down)\b",
        r"\bnew appointment\b",
    ),
    cue(
        Intent.BOOK,
        CLEAR,
        r"\b(?:need|want|like|get|have|make) (?:a|an) (?:new )?(?:appointment|reservation)\b",
        r"\bcome in for\b",
        r"\b(?:can|could|may) (?:i|we) (?:come|stop|drop|pop) (?:in|by|at|over|round|around)\b",
        r"\breservation\b",
    ),
    # "I'd like a haircut": wanting something is only a booking when it is a service the shop offers.
    cue(
        Intent.BOOK,
        CLEAR,
        words(
            "i'd like", "i would like", "i want", "i need", "i wanna", "looking to get", "looking for",
            "can i get", "could i get", "can i have", "could i have", "i'd love", "i'm after",
            "interested in", "want to get", "need to get", "i could get", "i can get", "wanted to get",
            "calling for", "calling about",
        ),
        needs_service=True,
    ),
)
