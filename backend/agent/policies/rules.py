"""The default policy: offline and deterministic. Understands with backend.agent.nlu, fills slots over turns.

State kept on the conversation between turns: intent, the booking slots (see booking_flow), name, phone,
awaiting (what it just asked for), ticket (the ticket open for this conversation's problem), what a change
to an existing booking has picked so far (see booking_changes), proposal (a yes/no question it asked) and
queued (requests of an earlier message still to come; see dialogue and requests).

When unsure, ask; never commit a side effect on a guess. The one threshold for that is ACT_CONFIDENCE below.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import partial
from typing import Any

from backend.agent.intents import Intent
from backend.agent.nlu import Understanding, understand
from backend.agent.nlu.intent import asks_about_hours
from backend.agent.nlu.intent_cues import CLEAR
from backend.agent.policies import booking_changes, booking_flow, dialogue, open_ended, over_promise
from backend.agent.policies.base import Decision, Policy, TurnInput
from backend.agent.policies.dialogue import Request
from backend.agent.policies.phrasing import on_day, say_hours, say_options
from backend.agent.policies.requests import answered_at_once, several_requests
from backend.agent.tools.toolbox import ToolBox

# Below this the message carries no intent of its own (a bare "3pm", "Maria"): the conversation's goes on.
INTENT_CONFIDENCE = 0.35
# The confidence threshold of "when unsure, ask". A request that writes (cancel, move, ticket, handoff) is
# acted on at once only when the message carries it at least this clearly: one clear cue for it, or a strong
# cue that a rival intent's strong cue contests (0.9 - 0.1). Two clear cues of rival intents (0.7 - 0.1 = 0.6,
# e.g. "I can't make it, there's a problem") are a guess: the agent asks "would you like me to …?" and acts
# only on a yes. The same bar decides which pieces of a several-request message count. Bookings need no bar of
# their own: one is only made once a time and a name were given in answer to the agent's own questions.
ACT_CONFIDENCE = CLEAR
WRITES = (Intent.CANCEL, Intent.RESCHEDULE, Intent.PROBLEM, Intent.HUMAN)
RESUMABLE = (Intent.BOOK.value, Intent.RESCHEDULE.value, Intent.AVAILABILITY.value)
ESCALATION_WORDS = ("manager", "supervisor", "unacceptable", "lawyer", "complaint")
URGENT_WORDS = ("charged twice", "double charged", "refund", "unacceptable", "manager")
SLOTS = ("service", "name", "phone", "time_of_day")
# The slot the agent asked for, and what in a message answers it.
ANSWERS = {
    "service": ("service",),
    "date": ("date",),
    "time": ("time", "time_of_day"),
    "name": ("name",),
    "phone": ("phone",),
}
POLICY_QUESTION = ("policy", "policies", "fee", "fees", "deposit", "charge for")
JUST_A_QUESTION = re.compile(
    r"\b(?:just|quick|only|a|one|have a|got a) question\b|\bjust (?:asking|wondering|curious)\b"
)


def _intent(heard: Understanding, state: dict[str, Any]) -> Intent:
    previous = Intent(state["intent"]) if state.get("intent") else None
    # "Liam, thanks" to "what name?", "Friday, cheers" to "which day?": an answer, whatever small talk comes
    # with it.
    answering = heard.intent in dialogue.SMALL_TALK and _answers_the_question(heard, state)
    if (heard.confidence >= INTENT_CONFIDENCE and not answering) or previous is None:
        return heard.intent
    # Picking one of the offered times turns "what do you have?" into a booking.
    if previous == Intent.AVAILABILITY and (heard.time or heard.name) and state.get("offered"):
        return Intent.BOOK
    return previous


def _answers_the_question(heard: Understanding, state: dict[str, Any]) -> bool:
    return any(getattr(heard, slot) for slot in ANSWERS.get(state.get("awaiting") or "", ()))


def _changes_the_booking_being_made(intent: Intent, state: dict[str, Any]) -> bool:
    # "Actually make it 4:30 instead" before anything is booked changes this request, not an existing booking:
    # a confirmed booking ends the booking intent, so a booking or availability intent means one is in
    # progress.
    return intent == Intent.RESCHEDULE and state.get("intent") in (
        Intent.BOOK.value,
        Intent.AVAILABILITY.value,
    )


class RulesPolicy(Policy):
    name = "rules"

    async def respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        decision = await self._respond(turn, tools)
        if turn.prompt.options.get("over_promise"):  # a drill's prompt regression (policies/over_promise.py)
            return over_promise.overstate(decision, tools=tools)
        return decision

    async def _respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        state = dict(turn.state)
        heard = understand(turn.text, now=turn.now, services=turn.services, expecting=state.get("awaiting"))
        answered = await dialogue.answer(turn, tools, state, heard)
        if isinstance(answered, str):
            return Decision(reply=answered, state=state, intent=state.get("intent"))
        requests = [answered] if answered else self._requests(turn, state, heard)
        replies: list[str] = []
        for position, request in enumerate(requests):
            if position and dialogue.under_way(state):  # the earlier request asked something: the rest waits
                dialogue.queue(state, requests[position:])
                break
            replies.append(await self._serve(turn, tools, state, request, alone=len(requests) == 1))
        follow_up = dialogue.propose_next(state)
        said = (
            [_without_closing(reply) for reply in replies[:-1]]
            + replies[-1:]
            + ([follow_up] if follow_up else [])
        )
        reply = " ".join(said)
        return Decision(reply=reply, state=state, intent=requests[0].intent.value)

    def _requests(self, turn: TurnInput, state: dict[str, Any], heard: Understanding) -> list[Request]:
        several = several_requests(turn, heard, clear=ACT_CONFIDENCE)
        if several:
            return several
        intent = _intent(heard, state)
        if _changes_the_booking_being_made(intent, state):
            intent = Intent.BOOK
        return [Request(intent, heard, turn.text)]

    async def _serve(
        self, turn: TurnInput, tools: ToolBox, state: dict[str, Any], request: Request, *, alone: bool
    ) -> str:
        """One request: asked about first when it is a guess that writes, else handed to its handler."""
        heard, intent = request.heard, request.intent
        turn = turn if request.text == turn.text else replace(turn, text=request.text)
        if (
            intent in WRITES
            and not request.confirmed
            and heard.carries_intent
            and heard.confidence < ACT_CONFIDENCE
        ):
            if heard.rival:  # two requests that exclude each other: a yes could mean either, so ask which
                return dialogue.which_request(state, intent, heard.rival)
            if intent is Intent.CANCEL:  # "I can't make it": find the booking and ask before cancelling it
                return await booking_changes.cancel(turn, tools, state, heard, ask_first=True)
            return dialogue.propose(state, request)
        # Answered in between ("when is my other appointment?" while choosing a time), a question still open
        # is asked again afterwards; of several requests, one answered at once leaves its service and day to
        # no other.
        resume = (
            answered_at_once(request)
            and dialogue.under_way(state)
            and state.get("intent") in RESUMABLE
            and not _escalates(request.text)
        )  # a colleague takes over: nothing is asked again
        working = dict(state) if answered_at_once(request) and (resume or not alone) else state
        if heard.confidence >= INTENT_CONFIDENCE or intent not in booking_changes.INTENTS:
            booking_changes.forget(
                working
            )  # a new request: which booking an earlier one meant no longer applies
        _take_in(heard, working, text=turn.text)
        working["intent"] = intent.value
        working.pop("awaiting", None)
        handler = {
            Intent.HUMAN: self._human,
            Intent.PROBLEM: self._problem,
            Intent.CANCEL: partial(booking_changes.cancel, heard=heard),
            Intent.RESCHEDULE: partial(booking_changes.reschedule, heard=heard),
            Intent.LOOKUP: partial(booking_changes.look_up, heard=heard),
            Intent.BOOK: booking_flow.book,
            Intent.AVAILABILITY: self._availability,
            Intent.GREETING: self._greeting,
            Intent.THANKS: self._thanks,
        }.get(intent, partial(self._other, heard=heard))
        reply = await handler(turn, tools, working)
        if working is not state and "ticket" in working:
            state["ticket"] = working["ticket"]
        again = dialogue.reask(turn, state) if resume else None
        return f"{reply} {again}" if again else reply

    async def _human(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        await tools.call("handoff_to_human", {"reason": f"customer asked for a person: {turn.text[:200]}"})
        return "Of course. I'm passing you to a colleague now; they'll reply right here shortly."

    async def _problem(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        lowered = turn.text.lower()
        escalate = _escalates(turn.text)
        if state.get("ticket") and not escalate:
            # One problem, one ticket: more details go to the same team, not into a new ticket.
            return (
                f"Thanks, that helps. It's all with our team under ticket {state['ticket']}; they'll "
                "follow up here."
            )
        priority = "HIGH" if any(word in lowered for word in URGENT_WORDS) else "NORMAL"
        ticket = await tools.call(
            "create_ticket",
            {
                "subject": turn.text[:80].strip() or "Customer problem",
                "description": turn.text[:4000],
                "priority": priority,
            },
        )
        state["ticket"] = str(ticket.get("ticket_id", ""))[:8].upper()
        if escalate:
            await tools.call(
                "handoff_to_human", {"reason": f"escalation requested (ticket {state['ticket']})"}
            )
            return (
                f"I'm sorry about this. I've logged it as ticket {state['ticket']} and a colleague is "
                "taking over now."
            )
        return (
            f"I'm sorry about that. I've opened ticket {state['ticket']} and our team will follow up "
            "with you here."
        )

    async def _availability(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        searched = open_ended.days_to_search(state)
        if asks_about_hours(turn.text):
            day = searched[0] if searched else turn.now.date()
            state.pop("intent", None)
            return f"{on_day(day, today=turn.now.date())} we're {say_hours(turn.hours.get(day.weekday()))}."
        if not state.get("service"):
            # "Anything free Tuesday morning?": open slots are per service, so ask which one, keeping the day.
            state["awaiting"] = "service"
            return f"Happy to check. Which service is it for: {say_options(turn.services)}?"
        day, days = searched or (turn.now.date(), booking_flow.SEARCH_DAYS)
        return await booking_flow.offer(turn, tools, state, day, days=days)

    async def _greeting(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        state.pop("intent", None)
        return (
            "Hi! I can book, move or cancel appointments, check availability, or help with a problem. "
            "What can I do for you?"
        )

    async def _thanks(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        nothing_booked = state.get("offered") or state.get("pending_slot")
        for key in booking_flow.DONE_KEYS:
            state.pop(key, None)
        if nothing_booked:
            return (
                "You're welcome! I haven't booked anything; just message me if you'd like one of those times."
            )
        return "You're welcome! Anything else I can help with?"

    async def _other(
        self, turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding
    ) -> str:
        state.pop("intent", None)
        lowered = turn.text.lower()
        if state.get("name") and state["name"].split()[0].lower() in lowered:
            return f"Thanks, {state['name'].split()[0]}, noted. Anything else I can help with?"
        if any(word in lowered for word in POLICY_QUESTION):
            # The rules policy knows no policies or prices: say so, and offer a person rather than guess.
            return dialogue.propose(
                state,
                Request(Intent.HUMAN, heard, turn.text),
                question="I don't have our policies or fees to hand, and I'd rather not guess. "
                "Would you like me to pass your question to a colleague?",
            )
        if JUST_A_QUESTION.search(lowered):
            return (
                "Sure, what would you like to know? I can tell you our opening hours and free times, or "
                "look up "
                "your bookings."
            )
        return (
            "I can help with appointments (booking, moving, cancelling), opening hours, or a problem with "
            "our "
            "service. What would you like to do?"
        )


def _escalates(text: str) -> bool:
    """A problem told with words that call for a person ("unacceptable", "manager"): a colleague takes
    over."""
    lowered = text.lower()
    return any(word in lowered for word in ESCALATION_WORDS)


def _without_closing(reply: str) -> str:
    """A reply followed by another in the same message does not end with "Anything else I can help with?"."""
    return reply.removesuffix(f" {dialogue.ANYTHING_ELSE}")


def _take_in(heard: Understanding, state: dict[str, Any], *, text: str) -> None:
    """What the message says about the booking, into the state: a new day drops the times offered for the old
    one."""
    for slot in SLOTS:
        if getattr(heard, slot):
            state[slot] = getattr(heard, slot)
    if heard.ruled_out_times:
        state["not_times"] = sorted(
            {at.strftime("%H:%M") for at in heard.ruled_out_times} | set(state.get("not_times") or ())
        )
    # "not Monday" while choosing within "next week" rules out next week's Monday.
    # (A span said in this message already holds its ruled-out days.)
    ruled_out = {
        (day if heard.date_range else open_ended.within_span(state, day, text=text)).isoformat()
        for day in heard.ruled_out_dates
    }
    if ruled_out:
        state["not_days"] = sorted(ruled_out | set(state.get("not_days") or ()))
    wanted = open_ended.within_span(state, heard.date, text=text).isoformat() if heard.date else None
    if wanted in ruled_out:
        wanted = None  # "any day but Monday": Monday is the one day not to search
        if state.get("date") in ruled_out:
            state.pop("date")
            state.pop("offered", None)
    if wanted:
        if wanted != state.get("date"):
            state.pop("offered", None)  # another day: what was offered no longer applies
        state["date"] = wanted
    if heard.time:
        state["time"] = heard.time.strftime("%H:%M")
        state.pop("pending_slot", None)  # a new time replaces the slot chosen before the name was asked
        state.pop("picked", None)
    # "next week", "between 2 and 4": searched and offered, never booked as is. A day ruled out is no day
    # asked for.
    open_ended.remember(heard if wanted or not heard.date else replace(heard, date=None), state, text=text)
