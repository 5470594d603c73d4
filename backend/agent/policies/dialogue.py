"""What the rules policy does with an answer to the question it just asked, before reading the message afresh.

The agent remembers what it asked (state `awaiting`, the `offered` times, the `pending_slot` waiting for a
name, the `choices` and the booking it is `moving`, a `proposal` it asked a yes/no about). A reply is read
against that:
- offered times: "the first one", "number two", "option 3", "the last one" pick by position (never a clock
  time); "yes" or "that one" picks only when one time was offered, else the agent asks which; "none of those",
  "anything later?" offer other times;
- asked for a name: only a name books; "wait", "idk", "thanks" keep the pending booking and ask again;
- a proposal ("Shall I …?"): yes runs exactly what was proposed, no leaves everything as it is;
- "never mind", "forget it", "scratch that" at any step end what is under way, with nothing booked or changed.
Anything else is read as a new message by the policy.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from backend.agent.intents import Intent
from backend.agent.nlu import Understanding, understand
from backend.agent.nlu.choices import (
    agrees,
    backs_out,
    declines,
    find_position,
    holds_on,
    says_no,
    turns_down_options,
)
from backend.agent.policies import booking_changes, booking_flow
from backend.agent.policies.base import TurnInput
from backend.agent.policies.phrasing import say_options
from backend.agent.tools.toolbox import ToolBox

# Messages that say nothing the agent acts on by themselves.
SMALL_TALK = (Intent.GREETING, Intent.THANKS, Intent.OUT_OF_SCOPE)
# What is under way while any of these is in the state: a question of the agent's is waiting for its answer.
UNDER_WAY = ("awaiting", "offered", "pending_slot", "choices", "moving", "proposal")
NOTHING_DONE = "No problem, I haven't booked or changed anything."
ANYTHING_ELSE = "Anything else I can help with?"
WHAT_WE_DO = {
    Intent.BOOK: "book an appointment",
    Intent.CANCEL: "cancel your booking",
    Intent.RESCHEDULE: "move your booking",
    Intent.LOOKUP: "look up your bookings",
    Intent.AVAILABILITY: "check what's free",
    Intent.PROBLEM: "pass this to our team as a support ticket",
    Intent.HUMAN: "pass you to a colleague",
}


@dataclass(frozen=True)
class Request:
    """One thing the customer asks for, with the words that ask it."""

    intent: Intent
    heard: Understanding
    text: str
    confirmed: bool = False  # the customer said yes to exactly this, when the agent asked


def under_way(state: dict[str, Any]) -> bool:
    """Whether the agent is waiting for an answer to something it asked."""
    return any(state.get(key) for key in UNDER_WAY)


def asks_something(heard: Understanding) -> bool:
    """Whether the message carries a request of its own, beyond small talk and answers."""
    return heard.carries_intent and heard.intent not in SMALL_TALK


async def answer(
    turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding
) -> str | Request | None:
    """The reply when the message answers what was asked; a Request when it picks or accepts something; else
    None."""
    text = heard.text
    proposal = state.pop("proposal", None)
    if proposal and agrees(text) and not asks_something(heard):
        proposed = understand(proposal["text"], now=turn.now, services=turn.services)
        return Request(Intent(proposal["intent"]), proposed, proposal["text"], confirmed=True)
    if proposal and (declines(text) or backs_out(text)) and not asks_something(heard):
        state.pop("queued", None)
        return f"OK, I'll leave it there. {ANYTHING_ELSE}"
    if _backs_out(heard, state):
        return _stop(turn, state)
    if state.get("awaiting") == "name" and state.get("pending_slot"):
        return _name_again(heard, state)
    if state.get("awaiting") == "time" and state.get("offered"):
        return await _pick_offered(turn, tools, state, heard)
    return None


def propose(state: dict[str, Any], request: Request, *, question: str | None = None) -> str:
    """Ask before acting: "Just to check: would you like me to …?"; a yes runs exactly this request."""
    state["proposal"] = {"intent": request.intent.value, "text": request.text}
    return question or f"Just to check, would you like me to {WHAT_WE_DO[request.intent]}?"


def which_request(state: dict[str, Any], intent: Intent, rival: Intent) -> str:
    """Two requests that exclude each other heard in one message: ask which one, acting on neither."""
    state.pop("intent", None)
    return f"Sorry, just to be sure: would you like me to {WHAT_WE_DO[rival]}, or {WHAT_WE_DO[intent]}?"


def queue(state: dict[str, Any], requests: list[Request]) -> None:
    """Keep requests for later: they are proposed, one at a time, once what is under way is done."""
    state["queued"] = [
        *state.get("queued", []),
        *({"intent": request.intent.value, "text": request.text} for request in requests),
    ]


def propose_next(state: dict[str, Any]) -> str | None:
    """Once nothing is under way: ask about the next request kept from an earlier message, if there is one."""
    queued = state.get("queued") or []
    if not queued or under_way(state):
        return None
    following, *rest = queued
    if rest:
        state["queued"] = rest
    else:
        state.pop("queued")
    state["proposal"] = following
    return f"You also asked me to {WHAT_WE_DO[Intent(following['intent'])]}. Shall I do that now?"


def reask(turn: TurnInput, state: dict[str, Any]) -> str | None:
    """The question still open, asked again after answering something else in between."""
    awaiting = state.get("awaiting")
    if awaiting == "time" and state.get("offered"):
        return booking_flow.offer_again(turn, state)
    if awaiting == "name" and state.get("pending_slot"):
        return "What name should I put the booking under?"
    if awaiting == "date" and state.get("service"):
        return f"What day would you like for the {state['service']}?"
    if awaiting == "service":
        return f"Which service would you like: {say_options(turn.services)}?"
    return None


def _backs_out(heard: Understanding, state: dict[str, Any]) -> bool:
    """ "Never mind", "forget it", "cancel that" with nothing else asked; "cancel that" only while something
    is under way."""
    if not backs_out(heard.text) or heard.service or heard.date or heard.time or heard.name:
        return False
    if heard.intent is Intent.CANCEL:
        return under_way(
            state
        )  # "cancel that" mid-booking stops the booking; with nothing under way it cancels
    return not asks_something(heard)


def _stop(turn: TurnInput, state: dict[str, Any]) -> str:
    state.pop("queued", None)
    if state.get("moving") or state.get("choices"):
        return booking_changes.leave_as_is(turn, state)
    started = under_way(state) or state.get("intent")
    for key in booking_flow.DONE_KEYS + booking_changes.KEYS:
        state.pop(key, None)
    state.pop("awaiting", None)
    return f"{NOTHING_DONE} {ANYTHING_ELSE}" if started else f"No problem. {ANYTHING_ELSE}"


def _name_again(heard: Understanding, state: dict[str, Any]) -> str | None:
    """Asked for a name: a name, another time or a new request goes on; anything else asks again, keeping the
    booking."""
    if heard.name or asks_something(heard) or heard.time or heard.date or heard.service:
        return None
    state["awaiting"] = "name"
    if says_no(heard.text):  # "no" to "what name?": they do not want it after all
        return _drop_pending(state)
    if holds_on(heard.text):
        return "Sure, take your time. When you're ready, what name should I put the booking under?"
    if heard.intent is Intent.THANKS:
        return "You're welcome! It isn't booked yet, though: what name should I put it under?"
    return (
        "Sorry, I didn't catch a name. What name should I put the booking under? "
        '(Or say "never mind" and I\'ll leave it.)'
    )


def _drop_pending(state: dict[str, Any]) -> str:
    for key in booking_flow.DONE_KEYS:
        state.pop(key, None)
    state.pop("awaiting", None)
    return f"{NOTHING_DONE} {ANYTHING_ELSE}"


async def _pick_offered(
    turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding
) -> str | Request | None:
    """Offered times: a position, a yes, "none of those" or "hold on"; a time, a day or a new request goes
    on."""
    offered = booking_flow.offered_in_order(state)
    position = find_position(heard.text)
    if position is not None:
        if not -len(offered) <= position < len(offered):
            return f"I only offered {len(offered)}. {booking_flow.which_one(turn, state)}"
        return _picked(state, heard, offered[position])
    if asks_something(heard) or heard.time or heard.date or heard.time_of_day:
        return None
    if agrees(heard.text):
        if len(offered) == 1:
            return _picked(state, heard, offered[0])
        return booking_flow.which_one(turn, state)  # "yes" to three times picks none of them
    direction = turns_down_options(heard.text)
    if direction:
        return await booking_flow.other_times(turn, tools, state, direction=direction)
    if holds_on(heard.text):
        return "Sure, take your time. Just tell me which time works when you're ready."
    return None


def _picked(state: dict[str, Any], heard: Understanding, slot: tuple[str, datetime]) -> Request:
    """The offered slot chosen: the booking (or the move) goes on with it, whatever the words also read as."""
    slot_id, start = slot
    state["picked"] = slot_id
    state["date"], state["time"] = start.date().isoformat(), start.strftime("%H:%M")
    state.pop("pending_slot", None)
    intent = Intent.RESCHEDULE if state.get("moving") else Intent.BOOK
    # "option 2" is not 2pm and "the 2nd" not the 2nd of the month: the position is the whole answer.
    as_picked = replace(heard, date=None, time=None, time_of_day=None)
    return Request(intent, as_picked, heard.text, confirmed=True)
