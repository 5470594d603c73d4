"""Asking for a new booking."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, STRONG, cue, words

NOT_A_BOOKING_REQUEST = (
    r"\bbooking (?:page|site|website|system|link|app|form|portal|tool)\b"
    r"|\b(?:my|the|your|this|that|our) booking\b"
)

# "Not looking to book", "I don't need an appointment": the booking words are denied.
NOT_BOOKING = (
    r"\b(?:not|don't|do not|didn't|did not|no need to|never) "
    r"(?:(?:really|actually|here|looking|trying|wanting"
    r"|planning|going|calling|hoping|want|need|wish) )*(?:to )?"
    r"(?:book|schedule|make an? (?:appointment|booking|reservation))\b"
    r"|\b(?:don't|do not|no longer) (?:need|want) (?:a|an|any) (?:new "
    r")?(?:appointment|booking|reservation)s?\b"
    r"|\bno (?:appointment|booking)s? (?:needed|necessary|required)\b"
)

MAKING_A_BOOKING = (
    cue(Intent.BOOK, STRONG, r"\bbook(?:ing)?\b", unless=f"{NOT_A_BOOKING_REQUEST}|{NOT_BOOKING}"),
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
        unless=NOT_BOOKING,
    ),
    # "I'd like a haircut": wanting something is only a booking when it is a service the shop offers.
    cue(
        Intent.BOOK,
        CLEAR,
        words(
            "i'd like",
            "i would like",
            "i want",
            "i need",
            "i wanna",
            "looking to get",
            "looking for",
            "can i get",
            "could i get",
            "can i have",
            "could i have",
            "i'd love",
            "i'm after",
            "interested in",
            "want to get",
            "need to get",
            "i could get",
            "i can get",
            "wanted to get",
            "calling for",
            "calling about",
        ),
        needs_service=True,
    ),
)
