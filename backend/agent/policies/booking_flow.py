"""The rules policy's booking conversation: ask for what is missing, offer real slots, book the chosen one.

State keys it uses: service, date (ISO), time ("HH:MM"), time_of_day, name, phone, awaiting, offered
({slot id: local start ISO}), pending_slot (chosen, waiting for a name).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from backend.agent.policies import open_ended
from backend.agent.policies.base import TurnInput
from backend.agent.policies.phrasing import say_day, say_options, say_time
from backend.agent.tools.toolbox import ToolBox

OFFER_COUNT = 3
DONE_KEYS = ("intent", "date", "time", "time_of_day", "offered", "pending_slot", *open_ended.KEYS)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _distinct_times(slots: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Two staff free at 9am are one option for the customer: offer distinct times.
    seen, distinct = set(), []
    for slot in slots:
        if slot["starts_at"] not in seen:
            seen.add(slot["starts_at"])
            distinct.append(slot)
    return distinct


async def book(turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
    """One step of the booking conversation."""
    if not state.get("service"):
        state["awaiting"] = "service"
        return f"Sure! Which service would you like: {say_options(turn.services)}?"
    searched = open_ended.days_to_search(state)
    if searched is None:
        if state.get("date_choices"):
            return open_ended.which_day(state, today=turn.now.date())
        state["awaiting"] = "date"
        return f"Happy to book a {state['service']}. What day works for you?"
    day, days = searched
    chosen = state.get("pending_slot") or offered_at(state)
    if chosen is None and state.get("time") and state.get("date"):
        asked = time.fromisoformat(state["time"])
        chosen = await slot_at(tools, state, day, asked)
        if chosen is None:
            state.pop("time")
            return await offer(turn, tools, state, day, intro=f"{say_time(asked)} isn't available.", near=asked)
    if chosen is None:
        if state.get("offered"):
            return offer_again(turn, state)
        return await offer(turn, tools, state, day, days=days)
    if not state.get("name"):
        state["awaiting"], state["pending_slot"] = "name", chosen
        return "Great. What name should I put the booking under?"
    return await _confirm(turn, tools, state, chosen)


def offered_at(state: dict[str, Any]) -> str | None:
    """The offered slot at the time the customer named, if they named one of the offered times.

    When that time was offered on several days ("3pm" after "Monday 3pm or Tuesday 3pm"), it picks none: the day
    is still to be said, and a guess is never booked.
    """
    wanted = state.get("time")
    matching = [slot_id for slot_id, starts in (state.get("offered") or {}).items()
                if wanted and datetime.fromisoformat(starts).strftime("%H:%M") == wanted]
    return matching[0] if len(matching) == 1 else None


async def slot_at(tools: ToolBox, state: dict[str, Any], day: date, at: time) -> str | None:
    """An open slot of the state's service starting exactly then, if there is one."""
    found = await tools.call(
        "check_availability",
        {"service": state["service"], "date_from": day.isoformat(), "from_time": at.strftime("%H:%M"), "limit": 1},
    )
    for slot in found.get("slots", []):
        if datetime.fromisoformat(slot["starts_at"]).time() == at:
            return slot["slot_id"]
    return None


async def offer(turn: TurnInput, tools: ToolBox, state: dict[str, Any], day: date, *, days: int = 1,
                intro: str = "", near: time | None = None) -> str:
    """Offer up to three open times: the closest to `near` on the day, or the first ones (in the part of day asked)."""
    arguments: dict[str, Any] = {"service": state["service"], "date_from": day.isoformat(),
                                 "date_to": (day + timedelta(days=days - 1)).isoformat(), "limit": 20}
    if state.get("time_of_day") and near is None:
        arguments["time_of_day"] = state["time_of_day"]
    narrowed = near is None and open_ended.narrows(state)
    if narrowed and (earliest := open_ended.earliest_start(state)):
        arguments["from_time"] = earliest.strftime("%H:%M")
    slots = _distinct_times((await tools.call("check_availability", arguments)).get("slots", []))
    if narrowed:
        fitting = [slot for slot in slots if open_ended.fits(state, datetime.fromisoformat(slot["starts_at"]))]
        if not fitting:
            # Nothing open in the window asked for: say so and offer the closest times rather than guess one.
            when = open_ended.say_days(day, days, today=turn.now.date())
            intro = f"{intro} I have nothing {open_ended.say_window(state)} {when}."
            intro, near = intro.strip(), open_ended.anchor(state)
            open_ended.drop_window(state)
            arguments.pop("from_time", None)
            fitting = _distinct_times((await tools.call("check_availability", arguments)).get("slots", []))
        slots = fitting
    if near is not None:
        slots = sorted(slots, key=lambda slot: abs(_minutes(datetime.fromisoformat(slot["starts_at"]).time()) - _minutes(near)))
    # How many to offer is the prompt version's choice (front matter), so prompt experiments show in evals.
    slots = sorted(slots[: int(turn.prompt.options.get("offer_count", OFFER_COUNT))], key=lambda slot: slot["starts_at"])
    today = turn.now.date()
    if not slots:
        for replaced in ("date", "offered", *open_ended.KEYS):
            state.pop(replaced, None)
        state["awaiting"] = "date"
        return (f"{intro} I have no {state['service']} openings {open_ended.say_days(day, days, today=today)}. "
                "Would another day work?").strip()
    state["offered"] = {slot["slot_id"]: slot["starts_at"] for slot in slots}
    return offer_again(turn, state, intro=intro)


def offer_again(turn: TurnInput, state: dict[str, Any], *, intro: str = "") -> str:
    """Say the offered times (again) and wait for the customer's pick."""
    state["awaiting"] = "time"
    today = turn.now.date()
    # Sorted here: the state is stored as jsonb, which does not keep the order keys were written in.
    starts = sorted(datetime.fromisoformat(value) for value in state["offered"].values())
    same_day = all(start.date() == starts[0].date() for start in starts)
    times = [say_time(start) if same_day else f"{say_day(start.date(), today=today)} {say_time(start)}" for start in starts]
    where = f" {say_day(starts[0].date(), today=today)}" if same_day else ""
    if not intro and state.get("name") and state["name"].split()[0].lower() in turn.text.lower():
        intro = f"Thanks, {state['name'].split()[0]}."  # they just told us their name; the time is still open
    return f"{intro} For a {state['service']}{where} I can do {say_options(times)}. Which works for you?".strip()


async def _confirm(turn: TurnInput, tools: ToolBox, state: dict[str, Any], slot_id: str) -> str:
    phone = state.get("phone") or (turn.customer if turn.customer.startswith("+") else None)
    booked = await tools.call(
        "book_appointment",
        {"slot_id": slot_id, "customer_name": state["name"], **({"customer_phone": phone} if phone else {})},
    )
    state.pop("pending_slot", None)
    if booked.get("booked"):
        start = datetime.fromisoformat(booked["starts_at"])
        for key in DONE_KEYS:
            state.pop(key, None)
        state["last_booking"] = booked["booking_id"]
        return (f"You're booked, {state['name'].split()[0]}: {booked['service']} with {booked['staff']} "
                f"{say_day(start.date(), today=turn.now.date())} at {say_time(start)}. Reply here if you need to change it.")
    asked = datetime.fromisoformat(booked["starts_at"]).time() if booked.get("starts_at") else None
    state.pop("time", None)
    state.pop("offered", None)
    taken = f"Sorry, {say_time(asked)} was just taken." if asked else "Sorry, that time was just taken."
    day, days = open_ended.days_to_search(state) or (turn.now.date(), 1)
    return await offer(turn, tools, state, day, days=days, intro=taken, near=asked)
