"""backed_claims: the reply claims no action that no tool performed ("Done", "booked", "cancelled" …).

A claim is a statement, not a question or an offer, that something happened: an action the agent says it took
("I've cancelled …", "I'm passing you to a colleague") or a state it reports ("your haircut is booked", "it's
been cancelled"). An action must be backed by the tool that does it succeeding in this very turn; a state may
also be backed by the conversation's earlier turns (a booking made two messages ago is still booked, and a
look-up this turn shows a booking exists). A clause that negates or hedges the claim before it ("nothing was
cancelled", "once you're booked", "I couldn't cancel") claims nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backend.quality.subject import ToolUse, TurnSubject
from backend.quality.verdicts import Verdict

SIDE_EFFECTS = (
    "book_appointment",
    "cancel_booking",
    "reschedule_booking",
    "create_ticket",
    "handoff_to_human",
)
# I/we, optionally 've / have, and the adverbs that go between the subject and a past participle.
_AGENT = (
    r"\b(?:i|we)(?:'ve|'d| have| just| also| now| already)*\s+"
    r"(?:just\s+|now\s+|already\s+|also\s+|gone ahead and\s+|went ahead and\s+)*"
)
_STATE = (
    r"\b(?:is|are|was|were|'s|'re|has been|have been|had been|got|gets|been|now)"
    r"\s+(?:now\s+|already\s+|still\s+|been\s+|all\s+|officially\s+|successfully\s+|also\s+)*"
)


@dataclass(frozen=True)
class ClaimKind:
    name: str  # as in the label: unbacked_<name>
    actions: tuple[re.Pattern[str], ...]  # the agent says it did it: backed only by this turn's tools
    states: tuple[re.Pattern[str], ...]  # it reports how things stand: the earlier turns' tools back it too
    tools: tuple[str, ...]  # any of these succeeding backs the claim
    evidence: str = ""  # a tool result that shows the state without having made it (a look-up's bookings)


def _patterns(*texts: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(text, re.IGNORECASE) for text in texts)


KINDS = (
    ClaimKind(
        name="cancellation",
        actions=_patterns(_AGENT + r"cancell?ed\b"),
        states=_patterns(
            _STATE + r"cancell?ed\b",
            r"\bcancell?ation (?:is |has been )?(?:confirmed|done|complete|processed)\b",
        ),
        tools=("cancel_booking",),
    ),
    ClaimKind(
        name="reschedule",
        actions=_patterns(_AGENT + r"(?:moved|rescheduled|changed|switched)\b(?! anything)"),
        states=_patterns(_STATE + r"(?:moved|rescheduled)\b"),
        tools=("reschedule_booking",),
    ),
    ClaimKind(
        name="booking",
        actions=_patterns(_AGENT + r"(?:booked|reserved|scheduled|confirmed)\b(?! anything)"),
        # The customer's booking only ("your haircut is booked", "it's still booked"): "that time is booked"
        # says a slot is taken, which claims nothing done for them.
        states=_patterns(
            r"\byou(?:'re| are)\s+(?:now\s+|all\s+|already\s+|still\s+)*"
            r"(?:booked|confirmed|scheduled|set for)\b",
            r"\b(?:your\b[^.!?;,]{0,40}?|\bit)" + _STATE + r"(?:booked|confirmed|reserved)\b",
            r"\b(?:booking|appointment|reservation) (?:is )?confirmed\b",
        ),
        tools=("book_appointment", "reschedule_booking"),
        evidence="booking",
    ),
    ClaimKind(
        name="ticket",
        actions=_patterns(
            _AGENT + r"(?:opened|created|logged|filed|raised|submitted|recorded)\b[^.!?;]{0,30}?"
            r"\b(?:ticket|case|complaint|report)\b"
        ),
        states=_patterns(
            r"\bunder ticket\b",
            r"\bticket\s+(?:#|number\s+)?\S+\s+(?:is|has been)\s+(?:open|opened|created)\b",
        ),
        tools=("create_ticket",),
    ),
    ClaimKind(
        name="handoff",
        actions=_patterns(
            r"\b(?:i'm|i am|i've|i have|we're|we are|we've)\s+(?:now\s+|just\s+)?"
            r"(?:passing|passed|handing|handed|transferring|transferred|connecting|connected|escalating|"
            r"escalated)\s+(?:you|this|it|your)\b",
            r"\b(?:colleague|human|person|someone|team member|manager)\s+(?:is|will be)\s+(?:now\s+)?"
            r"taking over\b",
        ),
        states=(),
        tools=("handoff_to_human",),
    ),
)
# "Done." / "All set!" opening a clause: some side effect must have happened this turn.
DONE = ClaimKind(
    name="done",
    states=(),
    tools=SIDE_EFFECTS,
    actions=_patterns(r"^\s*(?:done|all done|that's done|sorted|all sorted)\b(?!\s+(?:yet|for))"),
)
# Sentence ends, and turns that start a clause of their own.
CLAUSE_BREAK = re.compile(
    r"[.!?;:\n]+|\s[-\u2013\u2014]\s|,?\s\b(?:but|however|although|though)\b", re.IGNORECASE
)
NEGATION = re.compile(
    r"(?<![\w'])(?:not|no|never|nothing|none|nobody|without|unable|whether|if|once|until|unless|"
    r"\w+n't|cannot|can not|would you like|do you want|want me to|shall i|should i|ready to|about "
    r"to)(?![\w'])",
    re.IGNORECASE,
)
NEGATION_WINDOW_WORDS = 6


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    text: str  # the words that claim it
    action: bool


def clauses(reply: str) -> list[tuple[str, bool]]:
    """The reply's clauses, each with whether it is a question (a question claims nothing)."""
    text = reply.replace("\u2019", "'").replace("\u2018", "'")
    pieces, position = [], 0
    for match in CLAUSE_BREAK.finditer(text):
        pieces.append((text[position : match.start()], "?" in match.group(0)))
        position = match.end()
    pieces.append((text[position:], False))
    return [(piece, question) for piece, question in pieces if piece.strip()]


def _negated(clause: str, start: int, end: int) -> bool:
    before = clause[:start].split()[-NEGATION_WINDOW_WORDS:]
    return bool(NEGATION.search(" ".join(before))) or bool(NEGATION.search(clause[start:end]))


def find_claims(reply: str) -> list[Claim]:
    """Every claim the reply makes, in reading order."""
    found: list[Claim] = []
    for clause, question in clauses(reply):
        if question:
            continue
        for kind in (*KINDS, DONE):
            for action, patterns in ((True, kind.actions), (False, kind.states)):
                for pattern in patterns:
                    match = pattern.search(clause)
                    if match and not _negated(clause, match.start(), match.end()):
                        found.append(Claim(kind=kind, text=match.group(0).strip(), action=action))
                        break
    return found


def _shows_a_booking(use: ToolUse) -> bool:
    """A tool result that shows a booking exists: a look-up that found one, a refused change that kept one."""
    result = use.result if isinstance(use.result, dict) else {}
    if use.error is not None or "error" in result:
        return False
    return (
        bool(result.get("bookings"))
        or "booking" in result
        or (use.name == "cancel_booking" and result.get("cancelled") is False and "starts_at" in result)
    )


def backed(claim: Claim, subject: TurnSubject) -> bool:
    """Whether a tool backs the claim: this turn's for an action, the conversation's for a state."""
    if subject.succeeded(*claim.kind.tools, earlier=not claim.action):
        return True
    if claim.kind.evidence == "booking" and not claim.action:
        return any(_shows_a_booking(use) for use in subject.tools + subject.earlier_tools)
    return False


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class BackedClaims:
    name: ClassVar[str] = "backed_claims"

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> BackedClaims:
        _Params.model_validate(dict(params))
        return cls()

    def score(self, subject: TurnSubject) -> Verdict | None:
        if not subject.reply:
            return None
        claims = find_claims(subject.reply)
        # What was claimed ("a cancellation") says more than a bare "Done": it names the verdict when both are
        # there.
        unbacked = sorted(
            (claim for claim in claims if not backed(claim, subject)), key=lambda claim: claim.kind is DONE
        )
        if unbacked:
            first = unbacked[0]
            return Verdict(score=0.0, label=f"unbacked_{first.kind.name}", reason=_why(first))
        if claims:
            return Verdict(
                score=1.0,
                label="backed",
                reason="claims backed by tools: " + ", ".join(sorted({c.kind.name for c in claims})),
            )
        return Verdict(score=1.0, label="no_claim", reason="the reply claims no action")


def _why(claim: Claim) -> str:
    if claim.kind is DONE:
        return f'the reply says "{claim.text}" but no side effect succeeded this turn'
    when = "this turn" if claim.action else "in this conversation"
    return (
        f'the reply claims a {claim.kind.name} ("{claim.text}") but {" or ".join(claim.kind.tools)} '
        f"did not succeed {when}"
    )
