"""The default policy: offline and deterministic. Understands with backend.agent.nlu, fills slots over turns.

State kept on the conversation between turns: intent, service, date (ISO), time ("HH:MM"), time_of_day,
name, phone, awaiting (the slot it just asked for) and offered (slot ids → local start times it proposed).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from backend.agent.intents import Intent
from backend.agent.nlu import understand
from backend.agent.policies.base import Decision, Policy, TurnInput
from backend.agent.policies.phrasing import say_day, say_hours, say_options, say_time
from backend.agent.tools.toolbox import ToolBox

# Below this the message carries no intent of its own (a bare "3pm", "Maria"): the conversation's goes on.
INTENT_CONFIDENCE = 0.35
ESCALATION_WORDS = ("manager", "supervisor", "unacceptable", "lawyer", "complaint")
URGENT_WORDS = ("charged twice", "double charged", "refund", "unacceptable", "manager")


class RulesPolicy(Policy):
    name = "rules"

    async def respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        state = dict(turn.state)
        heard = understand(turn.text, now=turn.now, services=turn.services, expecting=state.get("awaiting"))
        intent = heard.intent if heard.confidence >= INTENT_CONFIDENCE or not state.get("intent") else Intent(state["intent"])
        for slot in ("service", "name", "phone", "time_of_day"):
            if getattr(heard, slot):
                state[slot] = getattr(heard, slot)
        if heard.date:
            state["date"] = heard.date.isoformat()
        if heard.time:
            state["time"] = heard.time.strftime("%H:%M")
        state["intent"] = intent.value
        state.pop("awaiting", None)
        handler = {
            Intent.HUMAN: self._human,
            Intent.PROBLEM: self._problem,
            Intent.CANCEL: self._cancel,
            Intent.BOOK: self._book,
            Intent.RESCHEDULE: self._book,
            Intent.AVAILABILITY: self._availability,
            Intent.GREETING: self._greeting,
            Intent.THANKS: self._thanks,
        }.get(intent, self._out_of_scope)
        reply = await handler(turn, tools, state)
        return Decision(reply=reply, state=state, intent=intent.value)

    async def _human(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        await tools.call("handoff_to_human", {"reason": f"customer asked for a person: {turn.text[:200]}"})
        return "Of course. I'm passing you to a colleague now; they'll reply right here shortly."

    async def _problem(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        lowered = turn.text.lower()
        priority = "HIGH" if any(word in lowered for word in URGENT_WORDS) else "NORMAL"
        ticket = await tools.call(
            "create_ticket",
            {"subject": turn.text[:80].strip() or "Customer problem", "description": turn.text[:4000], "priority": priority},
        )
        state.pop("intent", None)
        reference = str(ticket.get("ticket_id", ""))[:8].upper()
        if any(word in lowered for word in ESCALATION_WORDS):
            await tools.call("handoff_to_human", {"reason": f"escalation requested (ticket {reference})"})
            return f"I'm sorry about this. I've logged it as ticket {reference} and a colleague is taking over now."
        return f"I'm sorry about that. I've opened ticket {reference} and our team will follow up with you here."

    async def _cancel(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        when = f" for {say_day(date.fromisoformat(state['date']), today=turn.now.date())}" if state.get("date") else ""
        ticket = await tools.call(
            "create_ticket",
            {"subject": f"Cancel appointment{when}", "description": turn.text[:4000], "priority": "NORMAL"},
        )
        state.clear()
        return f"Done: I've asked the team to cancel your appointment{when} (ticket {str(ticket.get('ticket_id', ''))[:8].upper()}). You'll get a confirmation here."

    async def _greeting(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        state.pop("intent", None)
        return "Hi! I can book, move or cancel appointments, check availability, or help with a problem. What can I do for you?"

    async def _thanks(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        for key in ("intent", "date", "time", "time_of_day", "offered"):
            state.pop(key, None)
        return "You're welcome! Anything else I can help with?"

    async def _out_of_scope(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        state.pop("intent", None)
        return "I can help with appointments (booking, moving, cancelling), opening hours, or a problem with our service. What would you like to do?"

    async def _availability(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        day = date.fromisoformat(state["date"]) if state.get("date") else None
        if not state.get("service"):
            if day is None:
                day = turn.now.date()
            state.pop("intent", None)
            return f"On {say_day(day, today=turn.now.date())} we're {say_hours(turn.hours.get(day.weekday()))}."
        return await self._offer(turn, tools, state, day or turn.now.date(), days=1 if day else 7)

    async def _book(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
        if not state.get("service"):
            state["awaiting"] = "service"
            return f"Sure! Which service would you like: {say_options(turn.services)}?"
        if not state.get("date"):
            state["awaiting"] = "date"
            return f"Happy to book a {state['service']}. What day works for you?"
        day = date.fromisoformat(state["date"])
        chosen = self._chosen_slot(state, turn)
        if chosen is None and state.get("time"):
            chosen = await self._slot_at(tools, state, day, time.fromisoformat(state["time"]))
            if chosen is None:
                asked = time.fromisoformat(state.pop("time"))
                return await self._offer(turn, tools, state, day, days=1, intro=f"{say_time(asked)} isn't available.",
                                         near=asked)
        if chosen is None:
            return await self._offer(turn, tools, state, day, days=1)
        if not state.get("name"):
            state["awaiting"], state["pending_slot"] = "name", chosen
            return "Great. What name should I put the booking under?"
        return await self._confirm(turn, tools, state, chosen)

    def _chosen_slot(self, state: dict[str, Any], turn: TurnInput) -> str | None:
        if state.get("pending_slot"):
            return state["pending_slot"]
        if state.get("time") and state.get("offered"):
            wanted = state["time"]
            for slot_id, starts in state["offered"].items():
                if datetime.fromisoformat(starts).strftime("%H:%M") == wanted:
                    return slot_id
        return None

    async def _slot_at(self, tools: ToolBox, state: dict[str, Any], day: date, at: time) -> str | None:
        found = await tools.call(
            "check_availability",
            {"service": state["service"], "date_from": day.isoformat(), "from_time": at.strftime("%H:%M")},
        )
        for slot in found.get("slots", []):
            if datetime.fromisoformat(slot["starts_at"]).time() == at:
                return slot["slot_id"]
        return None

    async def _offer(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any], day: date, *, days: int,
                     intro: str = "", near: time | None = None) -> str:
        arguments: dict[str, Any] = {"service": state["service"], "date_from": day.isoformat(),
                                     "date_to": (day + timedelta(days=days - 1)).isoformat()}
        if state.get("time_of_day"):
            arguments["time_of_day"] = state["time_of_day"]
        if near:
            # Offer what is closest after the time asked for, not the first openings of the morning.
            arguments["from_time"] = near.strftime("%H:%M")
        slots = (await tools.call("check_availability", arguments)).get("slots", [])[:3]
        if not slots:
            state.pop("date", None)
            state["awaiting"] = "date"
            return f"{intro} I have no {state['service']} openings {say_day(day, today=turn.now.date())}. Would another day work?".strip()
        state["offered"] = {slot["slot_id"]: slot["starts_at"] for slot in slots}
        state["awaiting"] = "time"
        starts = [datetime.fromisoformat(slot["starts_at"]) for slot in slots]
        same_day = all(start.date() == starts[0].date() for start in starts)
        times = [say_time(start) if same_day else f"{say_day(start.date(), today=turn.now.date())} {say_time(start)}" for start in starts]
        where = f" {say_day(starts[0].date(), today=turn.now.date())}" if same_day else ""
        return f"{intro} For a {state['service']}{where} I can do {say_options(times)}. Which works for you?".strip()

    async def _confirm(self, turn: TurnInput, tools: ToolBox, state: dict[str, Any], slot_id: str) -> str:
        phone = state.get("phone") or (turn.customer if turn.customer.startswith("+") else None)
        booked = await tools.call("book_appointment", {"slot_id": slot_id, "customer_name": state["name"], **({"customer_phone": phone} if phone else {})})
        state.pop("pending_slot", None)
        if booked.get("booked"):
            start = datetime.fromisoformat(booked["starts_at"])
            for key in ("intent", "date", "time", "time_of_day", "offered"):
                state.pop(key, None)
            return (f"You're booked, {state['name'].split()[0]}: {booked['service']} with {booked['staff']} "
                    f"{say_day(start.date(), today=turn.now.date())} at {say_time(start)}. Reply here if you need to change it.")
        day = date.fromisoformat(state["date"])
        asked = state.pop("time", None)
        taken = f"Sorry, {say_time(time.fromisoformat(asked))} was just taken." if asked else "Sorry, that time was just taken."
        state.pop("offered", None)
        return await self._offer(turn, tools, state, day, days=1, intro=taken,
                                 near=time.fromisoformat(asked) if asked else None)
