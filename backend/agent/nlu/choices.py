"""Answers to a question the agent asked: which of the listed options, yes, none of them, or "never mind".

Each reader looks at the whole reply, so they only mean something next to the question they answer: the policy
asks them only when it has just listed options ("Which works for you?", "Which one should I cancel?") or asked
for a detail. "the first one" picks the first option, "number two" or "option 2" the second (never 2pm),
"the last one" the last; "yes" or "that one" picks nothing by itself — only the single option, if one was
offered.
"""

from __future__ import annotations

import re

ORDINALS = {
    "first": 0,
    "1st": 0,
    "second": 1,
    "2nd": 1,
    "third": 2,
    "3rd": 2,
    "fourth": 3,
    "4th": 3,
    "fifth": 4,
    "5th": 4,
    "last": -1,
    "earliest": 0,
    "latest": -1,
    "middle": 1,
}
NUMBERS = {"one": 0, "two": 1, "three": 2, "four": 3, "five": 4} | {
    str(number): number - 1 for number in range(1, 6)
}
# "the first one", "2nd"; not "the first time", "last week" or "first thing".
ORDINAL = re.compile(
    rf"\b({'|'.join(ORDINALS)})\b(?! (?:time|week|month|year|thing|visit|name|night|weekend|day)\b)",
    re.IGNORECASE,
)
# "number two", "option 2", "#3", "choice one", "the 2nd option": a position, never a clock time.
NUMBERED = re.compile(
    rf"(?:\b(?:number|no\.?|option|choice|slot)\s*|#\s*)({'|'.join(NUMBERS)})\b(?![:.]?\d)(?!\s*(?:[ap]\.?m\b|o'?clock))",
    re.IGNORECASE,
)
# "the earlier one", "the later time": two options told apart by when.
EARLIER_OR_LATER = re.compile(r"\bthe (earlier|later) (?:one|option|time|slot)\b", re.IGNORECASE)
EVERY_ONE = re.compile(
    r"\b(?:both|all(?: of them| of those| three| four)?|every one|each of them)\b", re.IGNORECASE
)
DECLINE = re.compile(
    r"^\W*(?:no|nope|nah|neither|none|never ?mind|nvm|not (?:now|anymore)|keep (?:it|them)|leave (?:it|them)"
    r"|forget (?:it|that)|don't|do not)\b",
    re.IGNORECASE,
)
PLAIN_NO = re.compile(r"^\W*(?:no|nope|nah|no way)\W*$", re.IGNORECASE)
# Lead-ins and sign-offs that change nothing about the answer ("oh ok that one please").
_SOFT = r"(?:oh|ok|okay|well|so|then|actually|um|uh|hmm|alright|right)"
_POLITE = r"(?:please|pls|thanks|thank you|thx|then|for me|works|is fine|is good|sounds good|would be great)"
AGREEMENT = re.compile(
    rf"^\W*(?:{_SOFT}\W+)*"
    r"(?:yes|yeah|yep|yup|ya|sure|ok|okay|k|fine|perfect|great|good|cool|alright|sounds good|sounds great"
    r"|that works|that'?ll work|works for me|that one|this one|that'?s fine|that'?s good|that'?s "
    r"great|that'?s perfect"
    r"|that'?s the one|book it|book that|go ahead|please do|do it|let'?s do (?:it|that)|i'?ll take "
    r"(?:it|that)"
    r"|yes please|absolutely|definitely|of course|that would be great|lovely)"
    rf"(?:\W+(?:{_POLITE}|{_SOFT}|yes|sure|perfect|great|that one))*\W*$",
    re.IGNORECASE,
)
# "none of those", "neither", "those don't work", "that doesn't work for me", "anything else?", "something
# later".
NONE_OF_THEM = re.compile(
    r"^\W*(?:no|nope|nah|neither|none)(?:\W+(?:thanks|thank you|sorry))?\W*$"
    r"|\b(?:none|neither) of (?:those|them|these|the above|the times)\b|\bneither\b(?! do i)"
    r"|\b(?:those|these|that|they|none|neither|that time|those times|any of those)"
    r" (?:\w+ )?(?:don't|doesn't|do not|does not|won't|wouldn't|will not|can't) work\b"
    r"|\b(?:don't|doesn't|does not|do not|won't|wouldn't|can't) (?:really )?work for (?:me|us)\b"
    r"|\bcan'?t (?:do|make) (?:any of )?(?:those|them|these|that|either)\b"
    r"|\b(?:any|some|other|different|more) (?:other )?(?:times|options|slots)\b|\banything "
    r"else\b|\bsomething else\b",
    re.IGNORECASE,
)
LATER = re.compile(
    r"\b(?:anything|something|any|some|a|nothing) (?:a bit |a little )?later\b|^\W*later\W*$|\blater "
    r"(?:times|ones|on)\b",
    re.IGNORECASE,
)
EARLIER = re.compile(
    r"\b(?:anything|something|any|some|a|nothing) (?:a bit |a little )?earlier\b|^\W*earlier\W*$|\bearlier "
    r"(?:times|ones)\b",
    re.IGNORECASE,
)
# Stopping whatever is under way: "never mind", "forget it", "scratch that", "I changed my mind".
BACK_OUT = re.compile(
    rf"^\W*(?:(?:{_SOFT}|no|nah)\W+)*(?:never ?mind|nvm|forget (?:it|that|about it|this)|scratch that|stop"
    r"|cancel (?:that|this|it)|don't bother|do not bother|leave it|skip it|drop it|no thanks|no thank you"
    r"|not anymore|not now|maybe later|another time|i'?ll think about it|i changed my mind|changed my mind"
    r"|i'?ve changed my mind|don'?t worry(?: about it)?|i'?m good|all good|no need|i'?ll "
    r"pass|pass(?=\W*$))\b",
    re.IGNORECASE,
)
# Asking the agent to wait: the question stays open. A few words may follow ("hold on, let me ask my wife").
WAITING_WORDS = 5
HOLD_ON = re.compile(
    r"^\W*(?:(?:ok|okay|oh|um|uh|sorry)\W+)*(?:wait|hold on|hang on|one sec(?:ond)?|a sec(?:ond)?|just a "
    r"(?:sec|second|moment|minute|min)"
    r"|one moment|one min(?:ute)?|give me a (?:sec|second|moment|minute|min)|brb|be right back|let me "
    r"(?:check|see|think|look)"
    r"|wait a (?:sec|second|moment|minute|min)|sec|moment)\b",
    re.IGNORECASE,
)


def find_position(text: str) -> int | None:
    """The position picked among listed options ("the second one" → 1, "option 3" → 2, "the last" → -1), or
    None."""
    numbered = NUMBERED.search(text)
    if numbered:
        return NUMBERS[numbered.group(1).lower()]
    earlier_or_later = EARLIER_OR_LATER.search(text)
    if earlier_or_later:
        return 0 if earlier_or_later.group(1).lower() == "earlier" else -1
    return find_ordinal(text)


def find_ordinal(text: str) -> int | None:
    """The position picked ("the second one" → 1, "the last" → -1), or None."""
    match = ORDINAL.search(text)
    return ORDINALS[match.group(1).lower()] if match else None


def means_every_one(text: str) -> bool:
    """Whether the answer picks all of the listed ones ("both", "all of them")."""
    return EVERY_ONE.search(text) is not None


def declines(text: str) -> bool:
    """Whether the answer says no ("no thanks", "never mind", "keep it")."""
    return DECLINE.search(text) is not None


def says_no(text: str) -> bool:
    """Whether the whole answer is a bare no ("no", "nope.", "nah")."""
    return PLAIN_NO.match(text) is not None


def agrees(text: str) -> bool:
    """Whether the whole answer is a plain yes ("yes", "sure, that one", "sounds good thanks"), naming
    nothing."""
    return AGREEMENT.match(text) is not None


def turns_down_options(text: str) -> str | None:
    """ "later", "earlier" or "other" when the answer turns the listed options down; None otherwise."""
    if LATER.search(text):
        return "later"
    if EARLIER.search(text):
        return "earlier"
    return "other" if NONE_OF_THEM.search(text) else None


def backs_out(text: str) -> bool:
    """Whether the answer calls off what is under way ("never mind", "forget it", "scratch that")."""
    return BACK_OUT.match(text) is not None


def holds_on(text: str) -> bool:
    """Whether the answer only asks the agent to wait ("one sec", "hold on", "brb"), not "wait, when is
    …?"."""
    match = HOLD_ON.match(text)
    return match is not None and len(re.findall(r"[\w']+", text[match.end() :])) <= WAITING_WORDS
