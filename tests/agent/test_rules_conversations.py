"""Whole conversations with the rules policy, run as dry runs on the real tables."""

from backend.agent.setup import build_agent
from backend.runs import playground
from tests.agent.helpers import open_business, weekday_ahead


async def _talk(settings, *texts: str) -> list[str]:
    turns = await playground.respond(
        setup=build_agent(settings), texts=list(texts), conversation_id=None, dry_run=True
    )
    return [turn.outcome.reply for turn in turns]


async def test_asking_what_is_free_then_picking_a_time_books_it(app, test_settings):
    await open_business()
    day = weekday_ahead()
    replies = await _talk(
        test_settings,
        f"Do you have anything for a haircut on {day:%A}?",
        "noon works for me",
        "Priya Natarajan",
    )
    assert "I can do 9am, 9:30am or 10am" in replies[0]  # two staff free at 9am is one option
    assert replies[1] == "Great. What name should I put the booking under?"
    assert replies[2].startswith("You're booked, Priya: haircut with") and replies[2].endswith(
        "at 12pm. Reply here if you need to change it."
    )


async def test_an_unavailable_time_is_answered_with_the_closest_ones(app, test_settings):
    await open_business()
    day = weekday_ahead()
    replies = await _talk(test_settings, f"can I book a massage on {day:%A} at 4:15pm?")
    assert replies[0].startswith("4:15pm isn't available.")
    offered = replies[0].split("I can do ")[1]
    # Massages start on the hour; the nearest are 4pm and its neighbours (which ones depends on closing time).
    assert "4pm" in offered and "3pm" in offered and "4:15" not in offered


async def test_follow_ups_about_one_problem_share_one_ticket(app, test_settings):
    replies = await _talk(
        test_settings,
        "My order A-10293 arrived damaged, the box was crushed.",
        "I'd like a replacement please.",
        "The photos are attached.",
    )
    ticket = replies[0].split("ticket ")[1].split()[0]
    assert all(f"ticket {ticket}" in reply for reply in replies[1:])
    assert all("opened" not in reply for reply in replies[1:])


async def test_greeting_and_out_of_scope(app, test_settings):
    replies = await _talk(test_settings, "hello there", "what's the weather like tomorrow?")
    assert replies[0].startswith("Hi! I can book")
    assert replies[1].startswith("I can help with appointments")
