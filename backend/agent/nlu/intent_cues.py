"""The cue phrases behind intent classification, each with a strength; patterns run on plain text.

Plain text is lower case with punctuation turned into spaces and single spaces between words, so a space in a
pattern stands for any run of whitespace or punctuation in the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.agent.intents import Intent

STRONG = 0.9
CLEAR = 0.7
HINT = 0.3  # also the most a message gets when it carries no intent of its own


@dataclass(frozen=True)
class Cue:
    intent: Intent
    strength: float
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None
    needs_service: bool = False


def _cue(
    intent: Intent,
    strength: float,
    *alternatives: str,
    unless: str | None = None,
    needs_service: bool = False,
) -> Cue:
    """A cue heard when any alternative matches the plain text, unless `unless` does too."""
    exception = re.compile(unless) if unless else None
    return Cue(intent, strength, re.compile("|".join(alternatives)), exception, needs_service)


def _words(*words: str) -> str:
    """Whole words or phrases, any of them."""
    return r"\b(?:" + "|".join(words) + r")\b"


PASSIVE_CHANGE = r"\b(?:was|were|got|been|being) (?:re-?scheduled|cancell?ed|moved|postponed)\b"
NEGATED_CANCEL = r"\b(?:don't|do not|didn't|did not|never|no need to|not) (?:want to |need to )?cancel"
# Asking about cancelling ("what if I cancel?", "how late can I cancel?") is a question, not a request.
HYPOTHETICAL_CANCEL = (
    r"\b(?:if|whether) (?:i|we) (?:ever )?(?:need to |have to |want to |do )?cancel\b"
    r"|\bhow (?:late|early|far in advance|soon) (?:can|do|should|must) (?:i|we) cancel\b"
)
# "cancellation policy", "cancellation fee": the rules about cancelling, not a cancellation.
ABOUT_CANCELLING = r"(?! (?:polic(?:y|ies)|fees?|charges?|terms|rules|window|period|deadline|notice)\b)"
APPOINTMENT = r"(?:appointment|appt|booking|reservation|visit|session)s?"
NOT_A_BOOKING_REQUEST = (
    r"\bbooking (?:page|site|website|system|link|app|form|portal|tool)\b"
    r"|\b(?:my|the|your|this|that|our) booking\b"
)
NOT_ASKING_IF_OPEN = r"\bopen (?:a|an|the|up a) (?:ticket|case|account|claim|link|app|email|box|package)\b"
SAYING_THEY_ARE_FREE = (
    r"\b(?:i'm|i am|i'll be|we're|we are|i'd be) (?:\w+ )?free\b|\bfeel free\b|\bfor free\b|\bfree of\b"
)
WAITED_HOURS = r"\b(?:waited|waiting|for) (?:\w+ )?(?:\d+|two|three|several) hours\b"

ASKING_FOR_A_PERSON = (
    _cue(
        Intent.HUMAN,
        STRONG,
        r"\b(?:real|actual|live|human) (?:person|human|people|agent|rep|representative|being)\b",
        _words("representative", "operator", "supervisor"),
        r"\b(?:transfer|connect|put) me (?:to|through|with)\b",
        r"^(?:an? )?(?:agent|human|person|operator|manager)(?: please)?$",
        r"\bnot (?:a |talking to a )?(?:bot|robot|machine)\b",
    ),
    _cue(
        Intent.HUMAN,
        STRONG,
        r"\b(?:talk|speak|chat|talking|speaking) (?:to|with) (?:a |an |the |your |some )?"
        + _words(
            "someone", "somebody", "anyone", "anybody", "person", "people", "human", "agent",
            "representative", "rep", "manager", "supervisor", "owner", "staff", "operator", "receptionist",
            "customer service", "team member", "boss", "you guys",
        ),
    ),
    _cue(
        Intent.HUMAN,
        CLEAR,
        _words("manager", "human"),
        r"\b(?:are you|is this|am i (?:talking|chatting|speaking) (?:to|with)) (?:a |an )?"
        + _words("bot", "robot", "real", "human", "machine", "ai", "computer"),
        r"\b(?:someone|somebody|anyone|a person) (?:call|ring|phone|contact) me\b",
        r"\bcall me back\b",
    ),
)

REPORTING_A_PROBLEM = (
    _cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:charged|billed) (?:me )?"
        + _words(
            "twice", "two times", "double", "again", "extra", "too much", "wrong", "incorrectly", "the wrong"
        ),
        r"\b(?:double|over|wrongly|incorrectly)[ -]?(?:charged|charge|billed|billing)\b|\bovercharg\w*",
        r"\b(?:was|were|got|been|being) (?:charged|billed)\b|\brefund\w*|\bchargeback\b|\bmoney back\b",
        r"\b(?:payment|card|transaction) "
        + _words("failed", "declined", "didn't go through", "did not go through", "was declined", "bounced"),
    ),
    _cue(
        Intent.PROBLEM,
        STRONG,
        _words(
            "damaged", "broken", "crushed", "defective", "faulty", "cracked", "smashed", "torn", "leaking",
            "leaked", "spoiled", "ruined", "dented", "scratched", "missing", "lost", "stolen",
        ),
        r"\bwrong "
        + _words(
            "amount", "charge", "price", "item", "order", "size", "colou?r", "product", "address", "time",
            "date", "service", "person",
        ),
    ),
    _cue(
        Intent.PROBLEM,
        STRONG,
        _words(
            "never", "hasn't", "has not", "haven't", "have not", "didn't", "did not", "still hasn't",
            "still haven't", "still not", "not yet",
        )
        + r" (?:\w+ )?"
        + _words(
            "arrived", "arrive", "came", "showed up", "show up", "shown up", "received", "receive", "got",
            "gotten", "delivered", "shipped", "moved", "updated", "heard back",
        ),
    ),
    _cue(
        Intent.PROBLEM,
        STRONG,
        _words(
            r"errors?", r"bugs?", r"glitch\w*", r"crash\w*", "not working", "isn't working", "is not working",
            "doesn't work", "does not work", "won't work", "won't load", "not loading", "doesn't load",
            "won't let me", r"can't log ?in", r"cannot log ?in", "frozen", "freezes",
            "keeps (?:failing|crashing|freezing|giving|saying|showing)",
        ),
        r"\b(?:is|was|went|seems|site|website|app|page) down\b",
    ),
    _cue(
        Intent.PROBLEM,
        STRONG,
        _words(
            "unacceptable", r"frustrat\w*", "ridiculous", "terrible", "awful", "horrible", r"disappoint\w*",
            "furious", "angry", "upset", "annoyed", "annoying", r"complain\w*", "worst", "rude",
            "unprofessional", "scam", "outrageous", "fed up",
        ),
        r"\bwithout "
        + _words(
            "asking", "telling", "notice", "notifying", "warning", "any notice", "my permission", "my consent"
        ),
    ),
    _cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:open|file|raise|create|submit|log|make) (?:a )?(?:ticket|complaint|claim|case|report)\b",
        _words(
            "having", "have", "had", "got", "there's", "there is", "i've got", "ran into", "running into",
            "run into", "experiencing", "facing",
        )
        + r" (?:a |an |some |any )?(?:little |small |big |major |serious |real )?"
        + r"(?:problem|issue|trouble)s?\b",
        r"\b(?:waited|waiting) (?:for )?(?:over |almost |more than |nearly )?"
        r"(?:an|\d+|one|two|three|thirty|forty) (?:hour|hours|minutes|mins)\b",
    ),
    _cue(
        Intent.PROBLEM,
        CLEAR,
        r"\b(?:problem|issue|trouble)s?\b",
        unless=r"\bno (?:problem|issue)s?\b|\bnot a problem\b",
    ),
    _cue(
        Intent.PROBLEM,
        CLEAR,
        r"\blook into (?:it|this|that|my)\b",
        r"\b(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time\b",
        _words(
            "tracking", "package", "parcel", "delivery", "shipment", "shipping", "still waiting",
            r"no[ -]show",
        ),
        _words("replacement", "replace it", "exchange it", "return it", "send (?:me )?(?:a )?new one"),
        r"\b(?:my|the|an|this|that) order\b|\b(?:my|the|this|a) (?:bill|invoice|statement)\b",
        _words("charged", "billed", "billing"),
        PASSIVE_CHANGE,
        r"\b(?:nobody|no one) (?:called|told|showed|answered|responded|replied|got back)\b",
    ),
    # Follow-ups that belong to a problem already reported ("the photos are attached"), too weak to start one.
    _cue(
        Intent.PROBLEM,
        HINT,
        _words(
            "tried", r"photos?", r"pictures?", r"screenshots?", "attached", "attachment", r"browsers?",
            "website", "app", "receipt", "invoice",
        ),
    ),
)

MOVING_AN_APPOINTMENT = (
    _cue(
        Intent.RESCHEDULE,
        STRONG,
        r"\bre-?schedul\w*|\bpostpon\w*|\bre-?book\w*|\bre-?arrang\w*",
        unless=PASSIVE_CHANGE,
    ),
    _cue(
        Intent.RESCHEDULE,
        STRONG,
        _words(
            "move", "moving", "change", "changing", "shift", "shifting", "push", "pushing", "bump", "bumping",
            "switch", "switching", "swap", "swapping",
        )
        + r" (?:my|the|our|it|this|that|his|her)\b"
        # "change my password" or "change my mind" is not about an appointment.
        + r"(?! (?:password|email|address|card|number|payment|name|mind|details|info|information|phone"
        + r"|order))",
    ),
    _cue(
        Intent.RESCHEDULE,
        CLEAR,
        r"\binstead\b",
        r"\b(?:different|another|other|new) (?:day|date|time|slot)\b",
        r"\b(?:earlier|later) (?:time|slot|appointment)\b",
    ),
)

CALLING_IT_OFF = (
    _cue(
        Intent.CANCEL,
        STRONG,
        rf"\bcancel\w*\b{ABOUT_CANCELLING}|\bcall(?:ing)? (?:it )?off\b",
        unless=f"{NEGATED_CANCEL}|{PASSIVE_CHANGE}|{HYPOTHETICAL_CANCEL}",
    ),
    _cue(
        Intent.CANCEL,
        CLEAR,
        _words(
            "won't", "will not", "can't", "cannot", "can not", "not going to", "unable to", "not able to",
            "couldn't",
        )
        + r" (?:be able to )?(?:make it|come|attend|come in|be there)\b",
        r"\b(?:don't|do not|no longer) need (?:the|my|it|an?|that)\b",
    ),
)

LOOKING_UP_A_BOOKING = (
    _cue(
        Intent.LOOKUP,
        STRONG,
        rf"\b(?:when|what time|what day)(?: is|'s| are) my (?:next |upcoming )?{APPOINTMENT}\b",
        rf"\bdo (?:i|we) (?:still )?have (?:an?|any|my) (?:upcoming )?{APPOINTMENT}\b",
        r"\b(?:am i|are we) (?:still )?(?:booked|scheduled|on the books)\b",
        rf"\bis my (?:\w+ )?{APPOINTMENT} (?:still )?(?:on|confirmed|booked|happening)\b",
        rf"\b(?:check|confirm|look up|find|see) my (?:next |upcoming )?{APPOINTMENT}\b",
        rf"\bwhat {APPOINTMENT} do (?:i|we) have\b",
        r"\bremind me (?:when|what time|what day)\b",
    ),
    # "When's my haircut?", "is my massage still on?": asking about a service the shop offers.
    _cue(
        Intent.LOOKUP,
        STRONG,
        r"\b(?:when|what time|what day)(?: is|'s) my\b",
        r"\bis my (?:[\w-]+ ){1,2}(?:still )?(?:on|confirmed|booked|happening)\b",
        needs_service=True,
    ),
)

MAKING_A_BOOKING = (
    _cue(Intent.BOOK, STRONG, r"\bbook(?:ing)?\b", unless=NOT_A_BOOKING_REQUEST),
    _cue(
        Intent.BOOK,
        STRONG,
        r"\b(?:schedule|reserve|set up|arrange|make|get) (?:me |us )?(?:in )?(?:for )?"
        r"(?:a|an|another|one|some) (?:new )?(?:appointment|booking|reservation|slot|session|visit|spot)\b",
        r"\bschedule (?:me|us|a|an|for|in)\b",
        r"\b(?:sign|put|fit|squeeze|get|pencil) me (?:up|in|down)\b",
        r"\bnew appointment\b",
    ),
    _cue(
        Intent.BOOK,
        CLEAR,
        r"\b(?:need|want|like|get|have|make) (?:a|an) (?:new )?(?:appointment|reservation)\b",
        r"\bcome in for\b",
        r"\b(?:can|could|may) (?:i|we) (?:come|stop|drop|pop) (?:in|by|at|over|round|around)\b",
        r"\breservation\b",
    ),
    # "I'd like a haircut": wanting something is only a booking when it is a service the shop offers.
    _cue(
        Intent.BOOK,
        CLEAR,
        _words(
            "i'd like", "i would like", "i want", "i need", "i wanna", "looking to get", "looking for",
            "can i get", "could i get", "can i have", "could i have", "i'd love", "i'm after",
            "interested in", "want to get", "need to get", "i could get", "i can get", "wanted to get",
            "calling for", "calling about",
        ),
        needs_service=True,
    ),
)

ASKING_WHAT_IS_FREE = (
    _cue(
        Intent.AVAILABILITY,
        STRONG,
        _words(
            "available", "availability", "availabilities", r"openings?", r"vacanc\w*", "walk[ -]?ins?",
            "fully booked", "booked up",
        ),
        r"\b(?:opening|business|office|store|shop|working|open) hours\b",
        r"\bwhat time (?:do|does|are|is) (?:you|it|they|the \w+) (?:guys )?(?:open|close|closing|opening)\b",
        r"\b(?:are (?:you|y'all)|you're|you are) (?:guys )?(?:still )?(?:open|closed)\b",
        r"\bwhen (?:do|are) you (?:guys )?(?:open|close)\b",
    ),
    _cue(
        Intent.AVAILABILITY,
        STRONG,
        r"\bdo (?:you|y'all) (?:guys )?have (?:anything|something|a (?:slot|spot|time|space|gap|free)|any "
        r"(?:time|times|slots?|spots?|room|space|openings?|appointments?))\b",
        r"\b(?:any|free|open) (?:slots?|spots?|space|room)\b",
        r"\b(?:is|are) (?:there )?(?:anything|any|something) (?:free|open|left)\b",
        r"\bwhen (?:can|could) (?:i|we) (?:come|get|see)\b",
        _words("earliest", "soonest", "next available", "first available", "next opening", "next free"),
    ),
    _cue(Intent.AVAILABILITY, CLEAR, _words("open", "close", "closed", "closing"), unless=NOT_ASKING_IF_OPEN),
    _cue(Intent.AVAILABILITY, CLEAR, r"\bhours\b", unless=WAITED_HOURS),
    _cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\bfree\b|\bwhat (?:times|days|slots)\b|\bhow (?:late|early) (?:are|do|can|is)\b",
        unless=SAYING_THEY_ARE_FREE,
    ),
    _cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\bdo (?:you|y'all) (?:guys )?(?:do|offer|have|provide)\b",
        needs_service=True,
    ),
    _cue(
        Intent.AVAILABILITY,
        CLEAR,
        r"\b(?:possible|able) to (?:come|get) in\b",
        r"\bwhat time\b(?! is (?:it|my))",
    ),
    # "Anything around 3pm?" follows up on a request already made.
    _cue(
        Intent.AVAILABILITY,
        HINT,
        r"\b(?:anything|something|any) "
        r"(?:around|at|after|before|on|for|in the|earlier|later|sooner|closer)\b",
    ),
)

CUES = (
    ASKING_FOR_A_PERSON
    + REPORTING_A_PROBLEM
    + MOVING_AN_APPOINTMENT
    + CALLING_IT_OFF
    + LOOKING_UP_A_BOOKING
    + MAKING_A_BOOKING
    + ASKING_WHAT_IS_FREE
)

THANKS = re.compile(
    _words(
        "thanks", "thank you", "thank u", "thankyou", "thanku", "cheers", "much appreciated", "grateful",
        "you're the best", "you rock", "appreciate (?:it|that|you|the help|your help)",
    )
)
GREETING = re.compile(
    _words(
        "hi", "hello", "hey", "hiya", "heya", "howdy", "hallo", "greetings",
        "good (?:morning|afternoon|evening|day)",
    )
    + r"|^(?:yo|sup|morning|afternoon|evening)(?: (?:there|all|everyone))?$"
)
OFF_TOPIC_WORDS = re.compile(
    _words(
        "weather", "forecast", "raining", "snowing", "temperature", "news", r"jokes?", r"sports?", "score",
        "football", "soccer", "basketball", "baseball", r"stocks?", "bitcoin", "crypto", "recipe",
        "president", "election", "politics", r"movies?", r"songs?", "lyrics", "poem", "homework", "horoscope",
        "lottery", "meaning of life", "capital of", "translate", "who won",
    )
)
# A question the rules cannot answer ("how much is a haircut?"); "what about Friday?" is an answer instead.
OPEN_QUESTION_START = re.compile(
    r"^(?:\w+ ){0,2}?(?:what|what's|who|who's|where|where's|why|how|how's|which)\b(?! (?:about|if)\b)"
)
ACKNOWLEDGEMENT = re.compile(
    r"^"
    + _words(
        "yes", "yeah", "yep", "yup", "ya", "yah", "sure", "ok", "okay", "k", "kk", "alright", "all right",
        "right", "correct", "exactly", "sounds good", "perfect", "great", "awesome", "cool", "fine", "no",
        "nope", "nah", "works", "that works", "please", "that's fine", "that's right", "absolutely",
        "definitely", "of course",
    )
)
