"""Reporting a problem: billing, damage, errors, complaints, a ticket asked for."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, HINT, PASSIVE_CHANGE, STRONG, cue, words

# Asking how refunds work ("what's your refund policy?", "do you give refunds?") is a question, not a claim.
ABOUT_REFUNDS = (
    r"\brefunds? (?:polic(?:y|ies)|rules|terms)\b|\b(?:do|does|will|would) (?:you|they|the \w+) (?:\w+ )?"
    r"(?:give|offer|do|issue|provide) refunds\b|\bhow (?:do|does) (?:the )?refunds? work\b|\bare refunds "
    r"\w+\b"
)
# "That doesn't work for me", "none of those work": a time turned down, not something broken.
TURNING_DOWN_A_TIME = (
    r"\b(?:that|those|these|none|neither|any of those|(?:that|this|the) (?:time|day|date|slot|one)s?"
    r"|(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d{1,2}(?::\d\d)? ?[ap]m) (?:\w+ )?"
    r"(?:doesn't|does not|don't|do not|won't|will not|wouldn't) (?:really )?work\b"
    r"|\bit (?:doesn't|does not|won't|wouldn't) (?:really )?work for (?:me|us)\b"
)
# "I don't have a problem, just a question": the problem is denied.
NO_PROBLEM = (
    r"\b(?:don't|do not|didn't|did not|never|no|not) (?:have|had|got|having|get) (?:a |an |any )?(?:\w+ )?"
    r"(?:problems?|issues?|trouble)\b|\bno (?:problems?|issues?|trouble)\b|\bnot (?:a|an) (?:problem|issue)\b"
    r"|\bwithout (?:any )?(?:problems?|issues?|trouble)\b"
)

REPORTING_A_PROBLEM = (
    cue(Intent.PROBLEM, STRONG, r"\brefund\w*|\bchargeback\b|\bmoney back\b", unless=ABOUT_REFUNDS),
    cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:charged|billed) (?:me )?"
        + words(
            "twice", "two times", "double", "again", "extra", "too much", "wrong", "incorrectly", "the wrong"
        ),
        r"\b(?:double|over|wrongly|incorrectly)[ -]?(?:charged|charge|billed|billing)\b|\bovercharg\w*",
        r"\b(?:was|were|got|been|being) (?:charged|billed)\b",
        r"\b(?:payment|card|transaction) "
        + words("failed", "declined", "didn't go through", "did not go through", "was declined", "bounced"),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "damaged",
            "broken",
            "crushed",
            "defective",
            "faulty",
            "cracked",
            "smashed",
            "torn",
            "leaking",
            "leaked",
            "spoiled",
            "ruined",
            "dented",
            "scratched",
            "missing",
            "lost",
            "stolen",
        ),
        r"\bwrong "
        + words(
            "amount",
            "charge",
            "price",
            "item",
            "order",
            "size",
            "colou?r",
            "product",
            "address",
            "time",
            "date",
            "service",
            "person",
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "never",
            "hasn't",
            "has not",
            "haven't",
            "have not",
            "didn't",
            "did not",
            "still hasn't",
            "still haven't",
            "still not",
            "not yet",
        )
        + r" (?:\w+ )?"
        + words(
            "arrived",
            "arrive",
            "came",
            "showed up",
            "show up",
            "shown up",
            "received",
            "receive",
            "got",
            "gotten",
            "delivered",
            "shipped",
            "moved",
            "updated",
            "heard back",
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            r"errors?",
            r"bugs?",
            r"glitch\w*",
            r"crash\w*",
            "not working",
            "isn't working",
            "is not working",
            "won't load",
            "not loading",
            "doesn't load",
            "won't let me",
            r"can't log ?in",
            r"cannot log ?in",
            "frozen",
            "freezes",
            "keeps (?:failing|crashing|freezing|giving|saying|showing)",
        ),
        r"\b(?:is|was|went|seems|site|website|app|page) down\b",
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "unacceptable",
            r"frustrat\w*",
            "ridiculous",
            "terrible",
            "awful",
            "horrible",
            r"disappoint\w*",
            "furious",
            "angry",
            "upset",
            "annoyed",
            "annoying",
            r"complain\w*",
            "worst",
            "rude",
            "unprofessional",
            "scam",
            "outrageous",
            "fed up",
        ),
        r"\bwithout "
        + words(
            "asking", "telling", "notice", "notifying", "warning", "any notice", "my permission", "my consent"
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words("doesn't work", "does not work", "won't work"),
        unless=TURNING_DOWN_A_TIME,
    ),
    # "I'm not happy with my haircut": a complaint about a service, said gently.
    cue(
        Intent.PROBLEM,
        STRONG,
        r"\bnot (?:\w+ )?(?:happy|pleased|satisfied|impressed|thrilled|content|ok|okay) with\b",
        words(r"unhappy", r"dissatisfied", "messed up", "botched", "went wrong", "not what i asked for"),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:open|file|raise|create|submit|log|make) (?:a )?(?:ticket|complaint|claim|case|report)\b",
        words(
            "having",
            "have",
            "had",
            "got",
            "there's",
            "there is",
            "i've got",
            "ran into",
            "running into",
            "run into",
            "experiencing",
            "facing",
        )
        + r" (?:a |an |some |any )?(?:little |small |big |major |serious |real )?"
        + r"(?:problem|issue|trouble)s?\b",
        r"\b(?:waited|waiting) (?:for )?(?:over |almost |more than |nearly )?"
        r"(?:an|\d+|one|two|three|thirty|forty) (?:hour|hours|minutes|mins)\b",
        unless=NO_PROBLEM,
    ),
    cue(
        Intent.PROBLEM,
        CLEAR,
        r"\b(?:problem|issue|trouble)s?\b",
        unless=NO_PROBLEM,
    ),
    cue(
        Intent.PROBLEM,
        CLEAR,
        r"\blook into (?:it|this|that|my)\b",
        r"\b(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time\b",
        words(
            "tracking",
            "package",
            "parcel",
            "delivery",
            "shipment",
            "shipping",
            "still waiting",
            r"no[ -]show",
        ),
        words("replacement", "replace it", "exchange it", "return it", "send (?:me )?(?:a )?new one"),
        r"\b(?:my|the|an|this|that) order\b|\b(?:my|the|this|a) (?:bill|invoice|statement)\b",
        words("charged", "billed", "billing"),
        PASSIVE_CHANGE,
        r"\b(?:nobody|no one) (?:called|told|showed|answered|responded|replied|got back)\b",
    ),
    # Follow-ups that belong to a problem already reported ("the photos are attached"), too weak to start one.
    cue(
        Intent.PROBLEM,
        HINT,
        words(
            "tried",
            r"photos?",
            r"pictures?",
            r"screenshots?",
            "attached",
            "attachment",
            r"browsers?",
            "website",
            "app",
            "receipt",
            "invoice",
        ),
    ),
)
