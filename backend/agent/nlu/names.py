"""The customer's name: "my name is Maria Lopez", "this is Tom", a "- Maria" signature, or a bare reply.

Names are read in any script and with any accents ("José García", "Zoë", "Nguyễn Văn An", "王小明"), from
text in NFC form (normalise() composes accents), so a letter is a letter whatever keyboard typed it. A
reply to "what name should I put?" is only a name when it looks like one: "wait", "brb", "idk", "cool"
or "one sec" are not names, whatever their capitals, and the policy asks again rather than booking under
them.
"""

from __future__ import annotations

import re

from backend.agent.nlu.text import Found

# A letter of any script; Python's `re` has no \p{L}, and "a word character but not a digit or _" is exactly
# that.
LETTER = r"[^\W\d_]"
NAME_WORD = rf"{LETTER}(?:{LETTER}|['-])*"

# Said this way, whatever follows is a name, even typed in lower case.
NAME_IS = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|(?:the\s+)?name\s+is|name's|names\s+is|name\s*:)\s+", re.IGNORECASE
)
# Said this way, it is only a name when written with a capital ("I'm Tom", not "I'm looking for ...").
INTRODUCTION = re.compile(r"\b(?:i'm|i\s+am|this\s+is|it's|it\s+is|call\s+me|here\s+is)\s+", re.IGNORECASE)
SIGNATURE = re.compile(rf"(?:^|[\s.,!?])[-–—~]\s*(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})[\s.!]*$")
# "Maria here, can I book ...": a name that opens the message and introduces the speaker (capitals checked
# apart).
NAME_HERE = re.compile(rf"^(?:(?:hi|hey|hello)[\s,!]+)?(?P<name>{NAME_WORD}(?:\s+{NAME_WORD})?)\s+here\b")
# Lead-ins and sign-offs around a bare answer to "what name should I put?".
ANSWER_LEAD_IN = re.compile(
    r"^(?:(?:yes|yeah|yep|sure|ok|okay|hi|hello|hey|so|oh|well|it's|it\s+is|this\s+is|i'm|i\s+am|"
    r"my\s+name\s+is|the\s+name\s+is|name\s+is|name's|under)\b[\s,.:]*)+",
    re.IGNORECASE,
)
ANSWER_SIGN_OFF = re.compile(
    r"(?:[\s,.]+(?:please|thanks|thank\s+you|here|speaking))+[\s.!]*$", re.IGNORECASE
)
TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "mr.", "mrs.", "ms.", "dr."})
# Short everyday words that are also given names or name particles ("Nguyễn Văn An", "Jo Do", "Ana De La
# Cruz"): inside a name, written with a capital, they belong to it; anywhere else they end it.
FUNCTION_WORDS = frozenset({"a", "an", "so", "if", "to", "in", "on", "at", "by", "as", "do", "be"})
# What people type while they think, or to put the agent off, when asked for a name.
FILLERS = frozenset(
    {
        "wait",
        "brb",
        "idk",
        "dunno",
        "cool",
        "sec",
        "secs",
        "second",
        "moment",
        "minute",
        "min",
        "mins",
        "hold",
        "hang",
        "hmm",
        "lol",
        "lmao",
        "omg",
        "k",
        "kk",
        "yo",
        "later",
        "soon",
        "idc",
        "whatever",
        "nothing",
        "none",
        "nah",
        "na",
        "huh",
        "anyway",
        "anyways",
        "same",
        "myself",
        "oops",
        "asap",
        "nvm",
        "never",
        "mind",
        "forget",
        "why",
        "ugh",
        "meh",
        "yay",
        "wow",
        "nice",
        "awesome",
        "perfect",
        "alright",
        "cheers",
        "bye",
        "stop",
        "help",
        "one",
        "give",
        "know",
        "idea",
        "unsure",
        "maybe",
        "test",
        "testing",
        "whoever",
        "anything",
        "something",
        "um",
        "uh",
        "er",
        "ah",
        "oh",
        "ooh",
        "sup",
        "welcome",
        "correct",
    }
)
NOT_NAME_WORDS = FILLERS | frozenset(
    {
        "the",
        "and",
        "or",
        "but",
        "then",
        "i",
        "i'm",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "they",
        "he",
        "she",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "yes",
        "yeah",
        "yep",
        "no",
        "nope",
        "ok",
        "okay",
        "sure",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "hey",
        "just",
        "also",
        "still",
        "really",
        "very",
        "quite",
        "too",
        "not",
        "here",
        "there",
        "calling",
        "booking",
        "looking",
        "trying",
        "wondering",
        "hoping",
        "going",
        "interested",
        "available",
        "free",
        "busy",
        "late",
        "early",
        "sorry",
        "fine",
        "good",
        "great",
        "glad",
        "happy",
        "new",
        "back",
        "ready",
        "done",
        "about",
        "for",
        "from",
        "of",
        "with",
        "is",
        "was",
        "been",
        "am",
        "are",
        "were",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "does",
        "did",
        "have",
        "has",
        "had",
        "need",
        "want",
        "like",
        "customer",
        "client",
        "patient",
        "guest",
        "someone",
        "somebody",
        "anyone",
        "nobody",
        "everyone",
        "person",
        "real",
        "human",
        "manager",
        "agent",
        "appointment",
        "order",
        "haircut",
        "massage",
        "service",
        "time",
        "day",
        "today",
        "tomorrow",
        "tonight",
        "morning",
        "afternoon",
        "evening",
        "night",
        "week",
        "weekend",
        "month",
        "year",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "noon",
        "midday",
        "what",
        "when",
        "where",
        "why",
        "how",
        "who",
        "which",
        "frustrated",
        "frustrating",
        "unacceptable",
        "terrible",
        "awful",
        "confused",
        "wrong",
        "right",
        "correct",
        "there's",
        "that's",
    }
)


def find_name(text: str, *, expecting: str | None = None) -> Found[str] | None:
    """The name the customer gives for themselves; `expecting == "name"` also accepts a bare reply."""
    return (
        _after_name_is(text)
        or _after_introduction(text, expecting)
        or _name_here(text)
        or _signature(text)
        or _bare_answer(text, expecting)
    )


def as_name(words: list[str]) -> str:
    """Words written as a name: lower-case words get capitals ("o'brien" becomes "O'Brien"), others stay."""
    return " ".join(
        re.sub(rf"(^|['-])({LETTER})", _upper, word) if word.islower() else word for word in words
    )


def _upper(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def _capitalised(word: str) -> bool:
    """Written with a capital, or in a script without capitals (Chinese, Arabic, Hindi …)."""
    return not word[:1].islower()


def _fits_a_name(word: str, *, first: bool) -> bool:
    """Whether the word can be part of a name at this position: never an everyday word, a particle only
    inside."""
    lowered = word.lower()
    if lowered in FUNCTION_WORDS:
        return not first and _capitalised(word)
    return lowered not in NOT_NAME_WORDS and not lowered.endswith("ing")


def _name_words(text: str, *, start: int, capitalised: bool) -> Found[str] | None:
    """Up to three name words from `start`, stopping at punctuation or an everyday word."""
    pattern = re.compile(NAME_WORD)
    words: list[str] = []
    position = end = start
    while len(words) < 3:
        match = pattern.match(text, position)
        word = match.group(0) if match else ""
        if not match or not _fits_a_name(word, first=not words) or (capitalised and not _capitalised(word)):
            break
        end = match.end()
        if text.startswith(".", end) and word.lower() + "." in TITLES:
            word, end = word + ".", end + 1  # "Dr. Smith": the full stop belongs to the title
        words.append(word)
        position = end + len(text[end:]) - len(text[end:].lstrip(" "))
        if position == end:
            break
    if not words or all(word.lower().rstrip(".") in TITLES for word in words):
        return None
    return Found(as_name(words), start, end)


def _after_name_is(text: str) -> Found[str] | None:
    for lead_in in NAME_IS.finditer(text):
        found = _name_words(text, start=lead_in.end(), capitalised=False)
        if found:
            return found
    return None


def _after_introduction(text: str, expecting: str | None) -> Found[str] | None:
    for lead_in in INTRODUCTION.finditer(text):
        found = _name_words(text, start=lead_in.end(), capitalised=expecting != "name")
        if found:
            return found
    return None


def _name_here(text: str) -> Found[str] | None:
    match = NAME_HERE.match(text.strip())
    if not match or not _all_fit(words := match["name"].split()) or not all(map(_capitalised, words)):
        return None
    offset = len(text) - len(text.lstrip())
    return Found(match["name"], offset + match.start("name"), offset + match.end("name"))


def _signature(text: str) -> Found[str] | None:
    match = SIGNATURE.search(text)
    if not match or not _all_fit(words := match["name"].split()):
        return None
    return Found(as_name(words), match.start("name"), match.end("name"))


def _bare_answer(text: str, expecting: str | None) -> Found[str] | None:
    if expecting != "name" or text.rstrip().endswith("?"):  # "why?", "Sam?" asks something back
        return None
    lead_in = ANSWER_LEAD_IN.match(text.strip())
    answer = text.strip()[lead_in.end() if lead_in else 0 :]
    answer = ANSWER_SIGN_OFF.sub("", answer).strip(" .!,")
    words = answer.split()
    if not 1 <= len(words) <= 4 or not all(re.fullmatch(NAME_WORD + r"\.?", word) for word in words):
        return None
    if not _all_fit([word.rstrip(".") for word in words]) or sum(map(len, words)) < 2:
        return None
    start = text.index(answer)
    return Found(as_name(words), start, start + len(answer))


def _all_fit(words: list[str]) -> bool:
    return all(_fits_a_name(word, first=position == 0) for position, word in enumerate(words))
