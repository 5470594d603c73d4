"""Reporting a problem: billing, damage, errors, complaints, a ticket asked for."""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues.base import CLEAR, HINT, PASSIVE_CHANGE, STRONG, cue, words

REPORTING_A_PROBLEM = (
    cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:charged|billed) (?:me )?"
        + words(
            "twice", "two times", "double", "again", "extra", "too much", "wrong", "incorrectly", "the wrong"
        ),
        r"\b(?:double|over|wrongly|incorrectly)[ -]?(?:charged|charge|billed|billing)\b|\bovercharg\w*",
        r"\b(?:was|were|got|been|being) (?:charged|billed)\b|\brefund\w*|\bchargeback\b|\bmoney back\b",
        r"\b(?:payment|card|transaction) "
        + words("failed", "declined", "didn't go through", "did not go through", "was declined", "bounced"),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "damaged", "broken", "crushed", "defective", "faulty", "cracked", "smashed", "torn", "leaking",
            "leaked", "spoiled", "ruined", "dented", "scratched", "missing", "lost", "stolen",
        ),
        r"\bwrong "
        + words(
            "amount", "charge", "price", "item", "order", "size", "colou?r", "product", "address", "time",
            "date", "service", "person",
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "never", "hasn't", "has not", "haven't", "have not", "didn't", "did not", "still hasn't",
            "still haven't", "still not", "not yet",
        )
        + r" (?:\w+ )?"
        + words(
            "arrived", "arrive", "came", "showed up", "show up", "shown up", "received", "receive", "got",
            "gotten", "delivered", "shipped", "moved", "updated", "heard back",
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            r"errors?", r"bugs?", r"glitch\w*", r"crash\w*", "not working", "isn't working", "is not working",
            "doesn't work", "does not work", "won't work", "won't load", "not loading", "doesn't load",
            "won't let me", r"can't log ?in", r"cannot log ?in", "frozen", "freezes",
            "keeps (?:failing|crashing|freezing|giving|saying|showing)",
        ),
        r"\b(?:is|was|went|seems|site|website|app|page) down\b",
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        words(
            "unacceptable", r"frustrat\w*", "ridiculous", "terrible", "awful", "horrible", r"disappoint\w*",
            "furious", "angry", "upset", "annoyed", "annoying", r"complain\w*", "worst", "rude",
            "unprofessional", "scam", "outrageous", "fed up",
        ),
        r"\bwithout "
        + words(
            "asking", "telling", "notice", "notifying", "warning", "any notice", "my permission", "my consent"
        ),
    ),
    cue(
        Intent.PROBLEM,
        STRONG,
        r"\b(?:open|file|raise|create|submit|log|make) (?:a )?(?:ticket|complaint|claim|case|report)\b",
        words(
            "having", "have", "had", "got", "there's", "there is", "i've got", "ran into", "running into",
            "run into", "experiencing", "facing",
        )
        + r" (?:a |an |some |any )?(?:little |small |big |major |serious |real )?"
        + r"(?:problem|issue|trouble)s?\b",
        r"\b(?:waited|waiting) (?:for )?(?:over |almost |more than |nearly )?"
        r"(?:an|\d+|one|two|three|thirty|forty) (?:hour|hours|minutes|mins)\b",
    ),
    cue(
        Intent.PROBLEM,
        CLEAR,
        r"\b(?:problem|issue|trouble)s?\b",
        unless=r"\bno (?:problem|issue)s?\b|\bnot a problem\b",
    ),
    cue(
        Intent.PROBLEM,
        CLEAR,
        r"\blook into (?:it|this|that|my)\b",
        r"\b(?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)) time\b",
        words(
            "tracking", "package", "parcel", "delivery", "shipment", "shipping", "still waiting",
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
            "tried", r"photos?", r"pictures?", r"screenshots?", "attached", "attachment", r"browsers?",
            "website", "app", "receipt", "invoice",
        ),
    ),
)
