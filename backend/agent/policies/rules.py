"""The default policy: offline and deterministic. Understands with backend.agent.nlu, fills slots over turns.

State kept on the conversation between turns: intent, the booking slots (see booking_flow), name, phone,
awaiting (what it just asked for), ticket (the ticket open for this conversation's problem), and what a change
to an existing booking has picked so far (see booking_changes).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from backend.agent.intents import Intent
from backend.agent.nlu import Understanding, understand
from backend.agent.policies import booking_changes, booking_flow, open_ended
from backend.agent.policies.base import Decision, Policy, TurnInput
from backend.agent.policies.phrasing import on_day, say_hours
from backend.agent.tools.toolbox import ToolBox

# Below this the message carries no intent of its own (a bare "3pm", "Maria"): the conversation's goes on.
INTENT_CONFIDENCE = 0.35
ESCALATION_WORDS = ("manager", "supervisor", "unacceptable", "lawyer", "complaint")
URGENT_WORDS = ("charged twice", "double charged", "refund", "unacceptable", "manager")
SLOTS = ("service", "name", "phone", "time_of_day")


def _intent(heard: Understanding, state: dict[str, Any]) -> Intent:
    previous = Intent(state["intent"]) if state.get("intent") else None
    if heard.confidence >= INTENT_CONFIDENCE or previous is None:
        return heard.intent
    # Picking one of the offered times turns "what do you have?" into a booking.
    if previous == Intent.AVAILABILITY and (heard.time or heard.name) and state.get("offered"):
        return Intent.BOOK
    return previous


def _changes_the_booking_being_made(intent: Intent, state: dict[str, Any]) -> bool:
    # "Actually make it 4:30 instead" before anything is booked changes this request, not an existing booking:
    # a confirmed booking ends the booking intent, so a booking or availability intent means one is in progress.
    return intent == Intent.RESCHEDULE and state.get("intent") in (Intent.BOOK.value, Intent.AVAILABILITY.value)


class RulesPolicy(Policy):
    name = "rules"

    async def respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        state = dict(turn.state)
        heard = understand(turn.text, now=turn.now, services=turn.services, expecting=state.get("awaiting"))
        intent = _intent(heard, state)
        if _changes_the_booking_being_made(intent, state):
            intent = Intent.BOOK
        if heard.confidence >= INTENT_CONFIDENCE or intent not in booking_changes.INTENTS:
            booking_changes.forget(state)  # a new request: which booking an earlier one meant no longer applies
        for slot in SLOTS:
            if getattr(heard, slot):
                state[slot] = getattr(heard, slot)
        if heard.date:
            if heard.date.isoformat() != state.get("date"):
                state.pop("offered", None)  # another day: what was offered no longer applies
            state["date"] = heard.date.isoformat()
        if heard.time:
            state["time"] = heard.time.strftime("%H:%M")
            state.pop("pending_slot", None)  # a new time replaces the slot chosen before the name was asked
        open_ended.remember(heard, state, text=turn.text)  # "next week", "between 2 and 4": searched and offered, never booked as is
        state["intent"] = intent.value
        state.pop("awaiting", None)
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
        }.get(intent, self._other)
        reply = await handler(turn, tools, state)
        return Decision(reply=reply, state=state, intent=intent.value)

    async def _human(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        await tools.call("handoff_to_human", {"reason": f"customer asked for a person: {turn.text[:200]}"})
        return "Of course. I'm passing you to a colleague now; they'll reply right here shortly."

    async def _problem(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        lowered = turn.text.lower()
        escalate = any(word in lowered for word in ESCALATION_WORDS)
        if state.get("ticket") and not escalate:
            # One problem, one ticket: more details go to the same team, not into a new ticket.
            return f"Thanks, that helps. It's all with our team under ticket {state['ticket']}; they'll follow up here."
        priority = "HIGH" if any(word in lowered for word in URGENT_WORDS) else "NORMAL"
        ticket = await tools.call(
            "create_ticket",
            {"subject": turn.text[:80].strip() or "Customer problem", "description": turn.text[:4000], "priority": priority},
        )
        state["ticket"] = str(ticket.get("ticket_id", ""))[:8].upper()
        if escalate:
            await tools.call("handoff_to_human", {"reason": f"escalation requested (ticket {state['ticket']})"})
            return f"I'm sorry about this. I've logged it as ticket {state['ticket']} and a colleague is taking over now."
        return f"I'm sorry about that. I've opened ticket {state['ticket']} and our team will follow up with you here."

    async def _availability(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        day, days = open_ended.days_to_search(state) or (turn.now.date(), 7)
        if not state.get("service"):
            state.pop("intent", None)
            return f"{on_day(day, today=turn.now.date())} we're {say_hours(turn.hours.get(day.weekday()))}."
        return await booking_flow.offer(turn, tools, state, day, days=days)

    async def _greeting(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        state.pop("intent", None)
        return "Hi! I can book, move or cancel appointments, check availability, or help with a problem. What can I do for you?"

    async def _thanks(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        for key in booking_flow.DONE_KEYS:
            state.pop(key, None)
        return "You're welcome! Anything else I can help with?"

    async def _other(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        state.pop("intent", None)
        if state.get("name") and state["name"].split()[0].lower() in turn.text.lower():
            return f"Thanks, {state['name'].split()[0]}, noted. Anything else I can help with?"
        return ("I can help with appointments (booking, moving, cancelling), opening hours, or a problem with our "
                "service. What would you like to do?")
