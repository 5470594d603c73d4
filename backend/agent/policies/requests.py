"""A message that asks for several things becomes several requests, served in an order that answers all of
them.

"Can I book a haircut? Also I was double charged" is a booking and a problem: the problem gets its ticket at
once and the booking goes on with its first question, in one reply. Requests that need a question each are
served one after the other: the first now, the rest proposed once it is done ("You also asked me to …; shall
I?"). Only pieces that carry their intent clearly count (`ACT_CONFIDENCE`); a person asked for takes the whole
message.
"""

from __future__ import annotations

from backend.agent.intents import Intent
from backend.agent.nlu import understand
from backend.agent.nlu.clauses import split_clauses
from backend.agent.nlu.intent import asks_about_hours, clear_requests
from backend.agent.nlu.understanding import Understanding
from backend.agent.policies.base import TurnInput
from backend.agent.policies.dialogue import SMALL_TALK, Request

# Answered at once, leaving nothing to ask: served before the requests that go on over several turns.
ANSWERED_AT_ONCE = (Intent.PROBLEM, Intent.LOOKUP)
# Asking what is free in the same message as booking or moving is part of that request, as cancelling is of a
# move.
PART_OF = {Intent.AVAILABILITY: (Intent.BOOK, Intent.RESCHEDULE), Intent.CANCEL: (Intent.RESCHEDULE,)}


def answered_at_once(request: Request) -> bool:
    """Whether the request is answered in one reply, without a question back (a ticket, a look-up, the
    hours)."""
    if request.intent in ANSWERED_AT_ONCE:
        return True
    return request.intent is Intent.AVAILABILITY and asks_about_hours(request.text)


def several_requests(turn: TurnInput, heard: Understanding, *, clear: float) -> list[Request]:
    """The requests in serving order when the message asks for more than one thing; [] when it asks for
    one."""
    if not heard.carries_intent or heard.intent is Intent.HUMAN:
        return []
    # Cheap first: only a message whose cues ask clearly for two things is cut and read piece by piece.
    if len(clear_requests(heard.text, mentions_service=heard.service is not None)) < 2:
        return []
    pieces = split_clauses(heard.text)
    if len(pieces) < 2:
        return []
    found: list[Request] = []
    for piece in pieces:
        reading = understand(piece, now=turn.now, services=turn.services)
        if reading.intent not in SMALL_TALK and reading.confidence >= clear:
            found.append(Request(reading.intent, reading, piece))
    intents = {request.intent for request in found}
    if Intent.HUMAN in intents:
        return []  # a colleague takes over and reads everything
    kept = [request for request in found if not intents & set(PART_OF.get(request.intent, ()))]
    distinct = _distinct(kept)
    if len(distinct) < 2:
        return []
    return sorted(
        distinct, key=lambda request: not answered_at_once(request)
    )  # stable: message order otherwise


def _distinct(requests: list[Request]) -> list[Request]:
    """One request per intent, except bookings of different services ("a haircut, and a massage for my
    wife")."""
    distinct: list[Request] = []
    for request in requests:
        same = [kept for kept in distinct if kept.intent is request.intent]
        if request.intent is Intent.BOOK:
            same = [
                kept
                for kept in same
                if None in (kept.heard.service, request.heard.service)
                or kept.heard.service == request.heard.service
            ]
        if not same:
            distinct.append(request)
    return distinct
