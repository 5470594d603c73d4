"""What the customer wants, from cue phrases with a strength each and a precedence between intents.

The strongest cue decides; between intents with equally strong cues, precedence does: asking for a person
beats reporting a problem, which beats rescheduling, cancelling, looking up a booking, booking and asking
about availability, in that order ("the booking page keeps giving me an error" is a problem, not a booking).
Thanks and greetings only decide when nothing substantive is asked. A message with no intent of its own, such
as "3pm works for me", gets confidence at most 0.3 so the policy keeps the conversation's intent.

Some requests exclude each other: reporting a problem, moving a booking and cancelling one. A message that
asks for two of them ("I won't be able to make it, there's an issue with my car") is a guess either way, so
its confidence drops to UNSURE and the rival is named, for the policy to ask which one rather than pick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.agent.intents import Intent
from backend.agent.nlu.intent_cues import (
    ACKNOWLEDGEMENT,
    CLEAR,
    CUES,
    GREETING,
    HINT,
    OFF_TOPIC_WORDS,
    OPEN_QUESTION_START,
    POLITE_REQUEST,
    STRONG,
    THANKS,
)
from backend.agent.nlu.intent_cues.availability import ABOUT_HOURS

OFF_TOPIC = 0.8
OPEN_QUESTION = 0.5
ANSWER = 0.2
NOTHING = 0.1
# Confidence given up when another intent's cues are as strong as the winner's.
CONTESTED = 0.1
# Two rival requests heard clearly in one message: either reading is a guess (below the policy's bar to act).
UNSURE = 0.5
RIVALS = (Intent.PROBLEM, Intent.RESCHEDULE, Intent.CANCEL)
# "I can't make it Friday, can we move it?" is one request: a move. Only cancelling said outright rivals a
# move.
MOVE_OR_CANCEL = {Intent.RESCHEDULE, Intent.CANCEL}
# A thank-you that also carries an answer ("thanks, see you Friday") closes less surely than a bare one.
THANKS_WITH_DETAILS = 0.6

PRECEDENCE = (
    Intent.HUMAN,
    Intent.PROBLEM,
    Intent.RESCHEDULE,
    Intent.CANCEL,
    Intent.LOOKUP,
    Intent.BOOK,
    Intent.AVAILABILITY,
)


@dataclass(frozen=True)
class IntentReading:
    intent: Intent
    confidence: float
    rival: Intent | None = None  # another request heard as clearly, which the winner excludes


def classify_intent(
    text: str, *, mentions_service: bool, mentions_when: bool, answers: bool
) -> IntentReading:
    """The intent the text carries; `answers` means it fills a slot ("3pm"), which alone is no intent."""
    plain = _plain(text)
    heard = _cue_strengths(plain, mentions_service=mentions_service)
    strongest = max(heard.values(), default=0.0)
    if strongest > HINT:
        contenders = [intent for intent in PRECEDENCE if heard.get(intent) == strongest]
        winner, confidence = contenders[0], strongest - (CONTESTED if len(contenders) > 1 else 0.0)
        rivals = [
            intent
            for intent in PRECEDENCE
            if intent in RIVALS
            and intent != winner
            and heard.get(intent, 0.0) > (CLEAR if {intent, winner} == MOVE_OR_CANCEL else HINT)
        ]
        if winner in RIVALS and rivals:
            return IntentReading(winner, min(confidence, UNSURE), rivals[0])
        return IntentReading(winner, confidence)
    if OFF_TOPIC_WORDS.search(plain):
        return IntentReading(Intent.OUT_OF_SCOPE, OFF_TOPIC)
    if mentions_service and mentions_when and POLITE_REQUEST.search(plain):
        return IntentReading(Intent.BOOK, HINT)  # a booking asked for politely: its thanks is no goodbye
    if THANKS.search(plain):
        return IntentReading(Intent.THANKS, THANKS_WITH_DETAILS if answers else STRONG)
    if strongest == HINT:
        return IntentReading(next(intent for intent in PRECEDENCE if heard.get(intent) == HINT), HINT)
    if mentions_service and mentions_when:
        # "a haircut Friday at 3": a booking in all but words; too weak to override the conversation's intent.
        return IntentReading(Intent.BOOK, HINT)
    if GREETING.search(plain) and not answers:
        return IntentReading(Intent.GREETING, STRONG)
    if OPEN_QUESTION_START.match(plain):
        return IntentReading(Intent.OUT_OF_SCOPE, OPEN_QUESTION)
    if answers or ACKNOWLEDGEMENT.match(plain):
        return IntentReading(Intent.OUT_OF_SCOPE, ANSWER)
    return IntentReading(Intent.OUT_OF_SCOPE, NOTHING)


def clear_requests(text: str, *, mentions_service: bool) -> set[Intent]:
    """Every request the text's cues ask for clearly (at least CLEAR), whichever wins."""
    heard = _cue_strengths(_plain(text), mentions_service=mentions_service)
    return {intent for intent, strength in heard.items() if strength >= CLEAR}


def asks_about_hours(text: str) -> bool:
    """Whether an availability question is about opening hours rather than free slots."""
    return ABOUT_HOURS.search(_plain(text)) is not None


def _plain(text: str) -> str:
    """Lower case, punctuation turned into spaces (apostrophes and hyphens kept), single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s'-]", " ", text.lower())).strip()


def _cue_strengths(plain: str, *, mentions_service: bool) -> dict[Intent, float]:
    heard: dict[Intent, float] = {}
    for cue in CUES:
        if cue.needs_service and not mentions_service:
            continue
        if cue.pattern.search(plain) and not (cue.unless and cue.unless.search(plain)):
            heard[cue.intent] = max(heard.get(cue.intent, 0.0), cue.strength)
    return heard
