"""The customer's name: "my name is Maria Lopez", "this is Tom", a "- Maria" signature, or a bare reply."""

from __future__ import annotations

import re

from backend.agent.nlu.text import Found

NAME_WORD = r"[A-Za-z][A-Za-z'-]*"
CAPITALISED_WORD = r"[A-Z][A-Za-z'-]*"

# Said this way, whatever follows is a name, even typed in lower case.
NAME_IS = re.compile(
    r"\b(?:my\s+name\s+is|my\s+name's|(?:the\s+)?name\s+is|name's|names\s+is|name\s*:)\s+", re.IGNORECASE
)
# Said this way, it is only a name when written with a capital ("I'm Tom", not "I'm looking for ...").
INTRODUCTION = re.compile(r"\b(?:i'm|i\s+am|this\s+is|it's|it\s+is|call\s+me|here\s+is)\s+", re.IGNORECASE)
SIGNATURE = re.compile(rf"(?:^|[\s.,!?])[-–—~]\s*(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{0,2}})[\s.!]*$")
# "Maria here, can I book ...": a name that opens the message and introduces the speaker.
NAME_HERE = re.compile(
    rf"^(?:(?:hi|hey|hello)[\s,!]+)?(?P<name>{CAPITALISED_WORD}(?:\s+{CAPITALISED_WORD})?)\s+here\b"
)
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
NOT_NAME_WORDS = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "so", "if", "then", "i", "i'm", "me", "my", "you", "your",
        "we", "our", "they", "he", "she", "it", "its", "it's", "this", "that", "these", "those", "yes",
        "yeah", "yep", "no", "nope", "ok", "okay", "sure", "please", "thanks", "thank", "hi", "hello", "hey",
        "just", "also", "still", "really", "very", "quite", "too", "not", "here", "there", "calling",
        "booking", "looking", "trying", "wondering", "hoping", "going", "interested", "available", "free",
        "busy", "late", "early", "sorry", "fine", "good", "great", "glad", "happy", "new", "back", "ready",
        "done", "about", "for", "from", "to", "at", "on", "in", "of", "with", "by", "as", "is", "was", "be",
        "been", "am", "are", "were", "will", "would", "can", "could", "should", "may", "might", "must", "do",
        "does", "did", "have", "has", "had", "need", "want", "like", "customer", "client", "patient",
        "guest", "someone", "somebody", "anyone", "nobody", "everyone", "person", "real", "human", "manager",
        "agent", "appointment", "order", "haircut", "massage", "service", "time", "day", "today", "tomorrow",
        "tonight", "morning", "afternoon", "evening", "night", "week", "weekend", "month", "year", "monday",
        "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
        "april", "june", "july", "august", "september", "october", "november", "december", "noon", "midday",
        "what", "when", "where", "why", "how", "who", "which", "frustrated", "frustrating", "unacceptable",
        "terrible", "awful", "confused", "wrong", "right", "correct", "there's", "that's",
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
    return " ".join(re.sub(r"(^|['-])([a-z])", _upper, word) if word.islower() else word for word in words)


def _upper(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


def _name_words(text: str, *, start: int, capitalised: bool) -> Found[str] | None:
    """Up to three name words from `start`, stopping at punctuation or an everyday word."""
    pattern = re.compile(CAPITALISED_WORD if capitalised else NAME_WORD)
    words: list[str] = []
    position = end = start
    while len(words) < 3:
        match = pattern.match(text, position)
        word = match.group(0) if match else ""
        everyday = word.lower() in NOT_NAME_WORDS or word.lower().endswith("ing")
        if not match or everyday:
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
    if not match or any(word.lower() in NOT_NAME_WORDS for word in match["name"].split()):
        return None
    offset = len(text) - len(text.lstrip())
    return Found(match["name"], offset + match.start("name"), offset + match.end("name"))


def _signature(text: str) -> Found[str] | None:
    match = SIGNATURE.search(text)
    if not match:
        return None
    words = match["name"].split()
    if any(word.lower() in NOT_NAME_WORDS for word in words):
        return None
    return Found(as_name(words), match.start("name"), match.end("name"))


def _bare_answer(text: str, expecting: str | None) -> Found[str] | None:
    if expecting != "name":
        return None
    lead_in = ANSWER_LEAD_IN.match(text.strip())
    answer = text.strip()[lead_in.end() if lead_in else 0 :]
    answer = ANSWER_SIGN_OFF.sub("", answer).strip(" .!,")
    words = answer.split()
    if not 1 <= len(words) <= 4 or not all(re.fullmatch(NAME_WORD + r"\.?", word) for word in words):
        return None
    if any(word.lower() in NOT_NAME_WORDS for word in words):
        return None
    start = text.index(answer)
    return Found(as_name(words), start, start + len(answer))
