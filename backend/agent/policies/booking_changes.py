"""The rules policy's changes to bookings the customer already holds: look them up, cancel one, move one.

What the customer holds comes from find_bookings, every change from cancel_booking or reschedule_booking, and
a reply states only what those results say. State keys, besides the booking flow's (service, date, time,
offered): choices (the bookings listed when asking "which one?"), moving (the booking being moved), move_to
(the new day and time asked for, kept while the customer says which booking), last_booking (booked earlier in
this conversation: the "it" of "can you make it 4 instead?").
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from backend.agent.intents import Intent
from backend.agent.nlu import Understanding
from backend.agent.nlu.choices import declines, find_ordinal, means_every_one
from backend.agent.policies import booking_flow, open_ended
from backend.agent.policies.base import TurnInput
from backend.agent.policies.phrasing import say_day, say_on_day, say_options, say_time, say_when
from backend.agent.tools.toolbox import ToolBox
from backend.core.enums import Channel

INTENTS = (Intent.CANCEL, Intent.RESCHEDULE, Intent.LOOKUP)
KEYS = ("choices", "moving", "move_to")
MAX_LISTED = 4
SOMETHING_WENT_WRONG = "something went wrong on our side"
WHY_NOT_CANCELLED = {
    "not_found": "I can't find it under your details any more",
    "in_the_past": "it has already started",
}
WHY_NOT_MOVED = {
    "not_found": "I can't find it under your details any more",
    "not_confirmed": "it has been cancelled in the meantime",
    "in_the_past": "it has already started",
    "slot_in_the_past": "that time has already passed",
    "other_service": "that time is for another service",
    "same_slot": "it's already booked for that time",
    "no_such_slot": "that time doesn't exist",
}
# Refusals after which the booking is known to be as it was.
STILL_BOOKED = {None, "slot_in_the_past", "other_service", "same_slot", "no_such_slot"}

Booking = dict[str, Any]  # as find_bookings returns it


def forget(state: dict[str, Any]) -> None:
    """Drop what an earlier change request picked: a new request starts afresh."""
    for key in KEYS:
        state.pop(key, None)


async def look_up(turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding) -> str:
    """Say when the customer's upcoming bookings are (the ones they named, if they did)."""
    state.pop("intent", None)
    bookings = await _find(tools)
    if not bookings:
        return f"I couldn't find an upcoming booking {_under(turn)}."
    named = _named(bookings, heard, by_when=True)
    intro = f"I don't see {_what(heard, turn)}. " if named == [] else ""
    shown = named or bookings
    if len(shown) == 1:
        (booking,) = shown
        return f"{intro}Your {booking['service']} is {_when(booking, turn)} with {booking['staff']}."
    listed = [f"{booking['service']} {_when(booking, turn)} with {booking['staff']}" for booking in shown]
    return f"{intro}You have {len(shown)} upcoming bookings: {say_options(listed, last='and')}."


async def cancel(
    turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding, *, ask_first: bool = False
) -> str:
    """Cancel the booking the customer means, or ask which one, or say there is none.

    `ask_first` (a cancellation only implied: "I won't be able to make it"): find the booking meant and ask
    before cancelling it; a yes repeats the request, confirmed.
    """
    if _declined(turn, state, heard):
        return leave_as_is(turn, state)
    picked, answer = await _pick(turn, tools, state, heard, intent=Intent.CANCEL)
    if answer is not None:
        return answer
    if ask_first:
        _finish(state)
        state["proposal"] = {"intent": Intent.CANCEL.value, "text": turn.text}
        which = say_options(
            [f"your {booking['service']} {_when(booking, turn)}" for booking in picked], last="and"
        )
        return f"Sorry to hear that. Shall I cancel {which}? Or I can move it to another time."
    said = [await _cancel_one(turn, tools, state, booking) for booking in picked]
    _finish(state)
    return " ".join(said) + " Anything else I can help with?"


async def reschedule(turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding) -> str:
    """One step of moving a booking: which one, to what day and time, then the move itself, all or nothing."""
    if _declined(turn, state, heard):
        return leave_as_is(turn, state)
    moving = state.get("moving")
    if moving and heard.service and heard.service.lower() != moving["service"].lower():
        # "Actually the massage": another booking, to the same new day and time.
        del state["moving"]
        state["move_to"] = {"date": state.get("date"), "time": state.get("time")}
    if not state.get("moving"):
        if not state.get("choices") and "move_to" not in state:
            _aim(state, heard)  # a new request: only the day and time it names are the new ones
        picked, answer = await _pick(turn, tools, state, heard, intent=Intent.RESCHEDULE)
        if answer is not None:
            return answer
        # An answer to "which one?" names the booking; the new day and time are those asked for before.
        if "move_to" in state:
            _set(state, state.pop("move_to"))
        state.pop("choices", None)
        state.pop("offered", None)  # times offered for another booking's service
        state["moving"], state["service"] = picked[0], picked[0]["service"]
    return await _to_new_time(turn, tools, state)


async def _to_new_time(turn: TurnInput, tools: ToolBox, state: dict[str, Any]) -> str:
    moving = state["moving"]
    old = datetime.fromisoformat(moving["starts_at"])
    service, when = moving["service"], say_when(old, today=turn.now.date())
    if state.get("time") and not state.get("date") and not state.get("date_range"):
        state["date"] = old.date().isoformat()  # "make it 4": the same day
    searched = open_ended.days_to_search(state)  # a day, or a span ("next week") searched whole
    if searched is None:
        state["awaiting"] = "date"
        return f"Sure. Your {service} is {when}. What day would you like instead?"
    day, days = searched
    chosen = booking_flow.offered_at(state)
    if chosen is None and state.get("time") and state.get("date"):
        asked = time.fromisoformat(state["time"])
        state.pop("time")  # kept only as the chosen slot; an unavailable time must not stick
        if (day, asked) == (old.date(), old.time()):
            return f"Your {service} is already booked {when}. What time would suit you better?"
        chosen = await booking_flow.slot_at(tools, state, day, asked)
        if chosen is None:
            unavailable = f"{say_time(asked)} isn't available."
            return await booking_flow.offer(turn, tools, state, day, intro=unavailable, near=asked)
    if chosen is None:
        if state.get("offered"):
            return booking_flow.offer_again(turn, state)
        return await booking_flow.offer(turn, tools, state, day, days=days)
    return await _move(turn, tools, state, chosen)


async def _move(turn: TurnInput, tools: ToolBox, state: dict[str, Any], slot_id: str) -> str:
    moving = state["moving"]
    old = datetime.fromisoformat(moving["starts_at"])
    today = turn.now.date()
    moved = await tools.call("reschedule_booking", {"booking_id": moving["booking_id"], "slot_id": slot_id})
    if moved.get("rescheduled"):
        new = datetime.fromisoformat(moved["starts_at"])
        _finish(state)
        state["last_booking"] = moved["booking_id"]
        return (
            f"I've moved your {moved['service']} to {say_day(new.date(), today=today)} at {say_time(new)} "
            f"with {moved['staff']}. Your old time, {say_day(old.date(), today=today)} at {say_time(old)}, "
            "has been released."
        )
    if moved.get("reason") == "slot_taken":
        asked = datetime.fromisoformat(moved["starts_at"]).time() if moved.get("starts_at") else None
        state.pop("time", None)
        state.pop("offered", None)
        taken = f"Sorry, {say_time(asked)} was just taken." if asked else "Sorry, that time was just taken."
        day, days = open_ended.days_to_search(state) or (datetime.fromisoformat(moved["starts_at"]).date(), 1)
        return await booking_flow.offer(turn, tools, state, day, days=days, intro=taken, near=asked)
    _finish(state)
    reason = moved.get("reason")
    why = WHY_NOT_MOVED.get(reason, SOMETHING_WENT_WRONG)
    still = f" It's still booked {say_when(old, today=today)}." if reason in STILL_BOOKED else ""
    return f"Sorry, I couldn't move your {moving['service']}: {why}.{still}"


async def _cancel_one(turn: TurnInput, tools: ToolBox, state: dict[str, Any], booking: Booking) -> str:
    result = await tools.call("cancel_booking", {"booking_id": booking["booking_id"]})
    when = _when(booking, turn)
    if not result.get("cancelled"):
        why = WHY_NOT_CANCELLED.get(result.get("reason"), SOMETHING_WENT_WRONG)
        return f"I couldn't cancel your {booking['service']} {when}: {why}."
    if state.get("last_booking") == booking["booking_id"]:
        state.pop("last_booking")
    if result.get("already_cancelled"):
        return f"Your {booking['service']} {when} was already cancelled."
    return (
        f"I've cancelled your {booking['service']} {when} with {booking['staff']}; that time is free again."
    )


async def _pick(
    turn: TurnInput, tools: ToolBox, state: dict[str, Any], heard: Understanding, *, intent: Intent
) -> tuple[list[Booking], str | None]:
    """The booking(s) the customer means, or else the reply: which one, or that there is none."""
    bookings = await _find(tools)
    if not bookings:
        return [], _none_found(turn, state, intent)
    listed = [choice["booking_id"] for choice in state.get("choices") or []]
    pool = [booking for booking in bookings if booking["booking_id"] in listed] or bookings
    # The day and time of a move are the new ones, unless they answer "which one?".
    named = _named(pool, heard, by_when=intent is not Intent.RESCHEDULE or bool(listed))
    every = intent is Intent.CANCEL and means_every_one(turn.text)
    if named:
        return (named, None) if len(named) == 1 or every else ([], _ask_which(turn, state, named, intent))
    if named == []:
        return [], _ask_which(turn, state, pool, intent, intro=f"I don't see {_what(heard, turn)}.")
    position = find_ordinal(turn.text) if listed else None
    if position is not None and -len(pool) <= position < len(pool):
        return [pool[position]], None
    if every and listed:
        return pool, None
    just_made = [booking for booking in pool if booking["booking_id"] == state.get("last_booking")]
    if just_made or len(pool) == 1:
        return just_made or pool, None
    return [], _ask_which(turn, state, pool, intent)


def _ask_which(
    turn: TurnInput, state: dict[str, Any], bookings: list[Booking], intent: Intent, *, intro: str = ""
) -> str:
    listed = bookings[:MAX_LISTED]
    state["choices"] = [{"booking_id": booking["booking_id"]} for booking in listed]
    if intent is Intent.RESCHEDULE:
        state.setdefault("move_to", {"date": state.get("date"), "time": state.get("time")})
    verb = "move" if intent is Intent.RESCHEDULE else "cancel"
    if len(listed) == 1:
        (booking,) = listed
        question = f"Is it your {booking['service']} {_when(booking, turn)} you'd like me to {verb}?"
    else:
        options = [f"the {booking['service']} {_when(booking, turn)}" for booking in listed]
        question = f"Which one should I {verb}: {say_options(options)}?"
    return f"{intro} {question}".strip()


def _named(bookings: list[Booking], heard: Understanding, *, by_when: bool) -> list[Booking] | None:
    """The bookings matching what the message names (service; day and time when `by_when`); None if
    nothing."""
    wanted: dict[str, Any] = {}
    if heard.service:
        wanted["service"] = heard.service.lower()
    if by_when and heard.date:
        wanted["date"] = heard.date
    if by_when and heard.time:
        wanted["time"] = heard.time
    if not wanted:
        return None
    return [booking for booking in bookings if wanted.items() <= _facts(booking).items()]


def _facts(booking: Booking) -> dict[str, Any]:
    start = datetime.fromisoformat(booking["starts_at"])  # business-local, as the tool answers
    return {"service": booking["service"].lower(), "date": start.date(), "time": start.time()}


def _what(heard: Understanding, turn: TurnInput) -> str:
    """ "a haircut booking on Friday, Jan 11 at 3pm": what the customer named, to say it was not found."""
    kind = f"{heard.service} booking" if heard.service else "booking"
    article = "an" if kind[0] in "aeiou" else "a"
    day = f" {say_on_day(heard.date, today=turn.now.date())}" if heard.date else ""
    at = f" at {say_time(heard.time)}" if heard.time else ""
    return f"{article} {kind}{day}{at}"


def _when(booking: Booking, turn: TurnInput) -> str:
    return say_when(datetime.fromisoformat(booking["starts_at"]), today=turn.now.date())


def _under(turn: TurnInput) -> str:
    return "for this account" if turn.channel == Channel.CHAT else "under this number"


def _none_found(turn: TurnInput, state: dict[str, Any], intent: Intent) -> str:
    if intent is Intent.RESCHEDULE:
        state["intent"] = Intent.BOOK.value  # what they asked for is now a new booking, if they want one
        return (
            f"I couldn't find an upcoming booking {_under(turn)}, so there's nothing to move. "
            "Would you like me to book a new appointment instead?"
        )
    _finish(state)
    return f"I couldn't find an upcoming booking {_under(turn)}, so nothing was cancelled."


def _aim(state: dict[str, Any], heard: Understanding) -> None:
    _set(
        state,
        {
            "date": heard.date.isoformat() if heard.date else None,
            "time": heard.time.strftime("%H:%M") if heard.time else None,
            "time_of_day": heard.time_of_day,
        },
    )
    state.pop("offered", None)
    state.pop("pending_slot", None)


def _set(state: dict[str, Any], values: dict[str, Any]) -> None:
    """Each key to its value; a None value removes the key."""
    for key, value in values.items():
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value


def _declined(turn: TurnInput, state: dict[str, Any], heard: Understanding) -> bool:
    """A plain no to "which one?" or to the times offered for a move."""
    asked = state.get("choices") or state.get("moving")
    named = heard.service or heard.date or heard.time or find_ordinal(turn.text) is not None
    return bool(asked) and not named and declines(turn.text)


def leave_as_is(turn: TurnInput, state: dict[str, Any]) -> str:
    """A no to "which one?" or to the new times for a move: the bookings stay as they are."""
    moving = state.get("moving")
    _finish(state)
    if moving:
        when = say_when(datetime.fromisoformat(moving["starts_at"]), today=turn.now.date())
        return f"OK, I've left your {moving['service']} {when} as it is. Anything else I can help with?"
    return "OK, I've left your bookings as they are. Anything else I can help with?"


def _finish(state: dict[str, Any]) -> None:
    for key in booking_flow.DONE_KEYS + KEYS:
        state.pop(key, None)


async def _find(tools: ToolBox) -> list[Booking]:
    return (await tools.call("find_bookings", {})).get("bookings", [])
