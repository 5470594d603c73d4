"""Changing a booking the customer holds: moving it, calling it off, or asking when it is."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import APPOINTMENT, CLEAR, IMPLIED, PASSIVE_CHANGE, STRONG, cue, words

NEGATED_CANCEL = r"\b(?:don't|do not|didn't|did not|never|no need to|not) (?:want to |need to )?cancel"
NEGATED_MOVE = (
    r"\b(?:don't|do not|didn't|did not|never|no need to|not) (?:want to |need to |trying to |looking to )?"
    r"(?:re-?schedul|postpon|move|change|push|shift)"
)

# Asking about cancelling ("what if I cancel?", "how late can I cancel?") is a question, not a request.
HYPOTHETICAL_CANCEL = (
    r"\b(?:if|whether) (?:i|we) (?:ever )?(?:need to |have to |want to |do )?cancel\b"
    r"|\bhow (?:late|early|far in advance|soon) (?:can|do|should|must) (?:i|we) cancel\b"
)

# "cancellation policy", "cancellation fee": the rules about cancelling, not a cancellation.
ABOUT_CANCELLING = r"(?! (?:polic(?:y|ies)|fees?|charges?|terms|rules|window|period|deadline|notice)\b)"

MOVING_AN_APPOINTMENT = (
    cue(
        Intent.RESCHEDULE,
        STRONG,
        r"\bre-?schedul\w*|\bpostpon\w*|\bre-?book\w*|\bre-?arrang\w*",
        unless=f"{PASSIVE_CHANGE}|{NEGATED_MOVE}",
    ),
    cue(
        Intent.RESCHEDULE,
        STRONG,
        words(
            "move",
            "moving",
            "change",
            "changing",
            "shift",
            "shifting",
            "push",
            "pushing",
            "bump",
            "bumping",
            "switch",
            "switching",
            "swap",
            "swapping",
        )
        + r" (?:my|the|our|it|this|that|his|her)\b"
        # "change my password" or "change my mind" is not about an appointment.
        + r"(?! (?:password|email|address|card|number|payment|name|mind|details|info|information|phone"
        + r"|order))",
    ),
    cue(
        Intent.RESCHEDULE,
        CLEAR,
        r"\binstead\b",
        r"\b(?:different|another|other|new) (?:day|date|time|slot)\b",
        r"\b(?:earlier|later) (?:time|slot|appointment)\b",
    ),
)

CALLING_IT_OFF = (
    cue(
        Intent.CANCEL,
        STRONG,
        rf"\bcancel\w*\b{ABOUT_CANCELLING}|\bcall(?:ing)? (?:it )?off\b",
        unless=f"{NEGATED_CANCEL}|{PASSIVE_CHANGE}|{HYPOTHETICAL_CANCEL}",
    ),
    cue(
        Intent.CANCEL,
        IMPLIED,
        words(
            "won't",
            "will not",
            "can't",
            "cannot",
            "can not",
            "not going to",
            "unable to",
            "not able to",
            "couldn't",
        )
        + r" (?:be able to )?(?:make it|come|attend|come in|be there)\b",
    ),
    cue(
        Intent.CANCEL,
        CLEAR,
        # "I no longer need my appointment"; not "I don't need an appointment, just a question".
        r"\b(?:don't|do not) need (?:the|my|it|that|this)\b|\bno longer need (?:the|my|it|an?|that|this)\b",
    ),
)

LOOKING_UP_A_BOOKING = (
    cue(
        Intent.LOOKUP,
        STRONG,
        r"\b(?:when|what time|what day)(?: is|'s| are) my (?:next |upcoming |other |current |existing "
        rf")?{APPOINTMENT}\b",
        rf"\bdo (?:i|we) (?:still )?have (?:an?|any|my) (?:upcoming )?{APPOINTMENT}\b",
        r"\b(?:am i|are we) (?:still )?(?:booked|scheduled|on the books)\b",
        rf"\bis my (?:\w+ )?{APPOINTMENT} (?:still )?(?:on|confirmed|booked|happening)\b",
        rf"\b(?:check|confirm|look up|find|see) my (?:next |upcoming )?{APPOINTMENT}\b",
        rf"\bwhat {APPOINTMENT} do (?:i|we) have\b",
        r"\bremind me (?:when|what time|what day)\b",
        r"\bdo (?:i|we) have (?:anything|something) (?:booked|scheduled|coming up)\b",
        rf"\b(?:did|has) my {APPOINTMENT} (?:go through|get booked|get confirmed|work)\b",
        r"\b(?:what time|when|what day) (?:am i|are we) (?:booked|scheduled|coming in|in)\b",
        rf"\bwhat(?: did|'s| is) (?:i|my) (?:book(?:ed)?|{APPOINTMENT})\b",
    ),
    # "When's my haircut?", "is my massage still on?": asking about a service the shop offers.
    cue(
        Intent.LOOKUP,
        STRONG,
        r"\b(?:when|what time|what day)(?: is|'s) my\b",
        r"\bis my (?:[\w-]+ ){1,2}(?:still )?(?:on|confirmed|booked|happening)\b",
        needs_service=True,
    ),
)
