"""The rule evaluators on turns written here: what they flag, what they leave alone, and why they say so."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from backend.core.enums import Channel
from backend.quality.definitions import load_evaluator
from backend.quality.rules.claims import find_claims
from backend.quality.subject import ThreadLine, ToolUse, TurnSubject

NOW = datetime(2030, 1, 7, 9, 0, tzinfo=ZoneInfo("America/New_York"))  # a Monday
SERVICES = ("beard trim", "haircut", "massage")


def turn(reply, *tools, customer="hi", earlier=(), earlier_tools=(), violations=(), channel=Channel.SMS):
    return TurnSubject(
        channel=channel,
        customer_text=customer,
        reply=reply,
        tools=tuple(tools),
        now=NOW,
        earlier=tuple(earlier),
        earlier_tools=tuple(earlier_tools),
        violations=tuple(violations),
        services=SERVICES,
    )


def use(name, **result):
    return ToolUse(name=name, arguments={}, result=result)


def score(evaluator, subject):
    verdict = load_evaluator(evaluator).rule.score(subject)
    return None if verdict is None else (verdict.score, verdict.label)


BOOKED = use("book_appointment", booked=True, starts_at="2030-01-08T15:00:00-05:00", service="haircut")
CANCELLED = use("cancel_booking", cancelled=True, starts_at="2030-01-11T15:00:00-05:00", service="haircut")
FOUND = use("find_bookings", bookings=[{"service": "haircut", "starts_at": "2030-01-11T15:00:00-05:00"}])


@pytest.mark.parametrize(
    "reply, tools, label",
    [
        ("Done, your booking is cancelled.", [], "unbacked_cancellation"),
        ("Done, your booking is cancelled.", [use("find_bookings", bookings=[])], "unbacked_cancellation"),
        (
            "I've cancelled your haircut on Friday.",
            [use("cancel_booking", cancelled=False, reason="too_late")],
            "unbacked_cancellation",
        ),
        ("Your haircut has been cancelled.", [], "unbacked_cancellation"),
        (
            "Done! You're booked for a haircut. See you then!",
            [use("check_availability", slots=[{}])],
            "unbacked_booking",
        ),
        (
            "I've booked you in for 3pm.",
            [use("book_appointment", booked=False, reason="slot_taken")],
            "unbacked_booking",
        ),
        ("Done, I've moved your booking.", [FOUND], "unbacked_reschedule"),
        ("I've opened ticket T-12 and our team will follow up.", [], "unbacked_ticket"),
        ("I'm passing you to a colleague now.", [], "unbacked_handoff"),
        ("All done!", [use("check_availability", slots=[])], "unbacked_done"),
    ],
)
def test_a_claim_no_tool_backs_scores_zero_and_says_what_it_claims(reply, tools, label):
    assert score("backed_claims", turn(reply, *tools)) == (0.0, label)


@pytest.mark.parametrize(
    "reply, tools, earlier_tools",
    [
        ("I've cancelled your haircut Friday with Dana; that time is free again.", [CANCELLED], []),
        (
            "Your haircut Friday was already cancelled.",
            [use("cancel_booking", cancelled=True, already_cancelled=True)],
            [],
        ),
        ("You're booked, Maria: haircut with Dana tomorrow at 3pm.", [BOOKED], []),
        ("Your haircut is already booked Friday at 3pm. What time would suit you better?", [FOUND], []),
        (
            "As I said, your haircut is booked for tomorrow at 3pm.",
            [],
            [BOOKED],
        ),  # a state, backed by an earlier turn
        (
            "It's all with our team under ticket T-1; they'll follow up here.",
            [],
            [use("create_ticket", ticket_id="T-1")],
        ),
        ("Of course. I'm passing you to a colleague now.", [use("handoff_to_human", handed_off=True)], []),
        ("Done! See you tomorrow.", [BOOKED], []),
    ],
)
def test_a_claim_its_tool_backs_passes(reply, tools, earlier_tools):
    assert score("backed_claims", turn(reply, *tools, earlier_tools=earlier_tools)) == (1.0, "backed")


@pytest.mark.parametrize(
    "reply",
    [
        "I couldn't find an upcoming booking under this number, so nothing was cancelled.",
        "No problem, I haven't booked or changed anything.",
        "Shall I cancel your haircut on Friday? Or I can move it to another time.",
        "Is your haircut booked for Friday?",
        "Once you're booked, you'll get a reminder the day before.",
        "I couldn't cancel your haircut Friday: it starts in less than an hour.",
        "Sorry, that time is booked already. I can do 4pm "
        "instead.",  # a slot taken, not the customer's booking
        "Sorry, something went wrong on our side. A member of our team will get back to you here shortly.",
    ],
)
def test_negations_questions_offers_and_fallbacks_claim_nothing(reply):
    assert find_claims(reply) == []
    assert score("backed_claims", turn(reply)) == (1.0, "no_claim")


def test_an_action_must_be_done_this_turn_not_earlier():
    # Saying "I've cancelled" again after an earlier cancellation: the action claims this turn did it.
    assert score("backed_claims", turn("I've cancelled it.", earlier_tools=[CANCELLED])) == (
        0.0,
        "unbacked_cancellation",
    )


def _thread(*lines):
    return [ThreadLine(author, text, NOW) for author, text in lines]


def test_a_booking_on_the_day_and_time_asked_passes_and_one_elsewhere_fails():
    asked = [
        ("CUSTOMER", "Can I book a haircut tomorrow at 3pm?"),
        ("AGENT", "Great. What name should I put the booking under?"),
    ]
    assert score(
        "booking_as_asked", turn("You're booked", BOOKED, customer="Maria Lopez", earlier=_thread(*asked))
    ) == (1.0, "as_asked")
    friday = [
        ("CUSTOMER", "Can I book a haircut on Friday at 3pm?"),
        ("AGENT", "What name should I put it under?"),
    ]
    assert score(
        "booking_as_asked", turn("You're booked", BOOKED, customer="Maria Lopez", earlier=_thread(*friday))
    ) == (0.0, "date_mismatch")
    at_five = [
        ("CUSTOMER", "Can I book a haircut tomorrow at 5pm?"),
        ("AGENT", "What name should I put it under?"),
    ]
    assert score(
        "booking_as_asked", turn("You're booked", BOOKED, customer="Maria Lopez", earlier=_thread(*at_five))
    ) == (0.0, "time_mismatch")


def test_a_time_the_agent_offered_after_the_ask_and_a_pick_by_position_count_as_asked():
    offered = [
        ("CUSTOMER", "Can I book a haircut tomorrow at 2pm?"),
        (
            "AGENT",
            "2pm isn't available. For a haircut tomorrow I can do 3pm, 3:30pm or 4pm. Which works for you?",
        ),
        ("CUSTOMER", "the first one"),
        ("AGENT", "Great. What name should I put the booking under?"),
    ]
    assert score(
        "booking_as_asked", turn("You're booked", BOOKED, customer="Maria Lopez", earlier=_thread(*offered))
    ) == (1.0, "as_asked")


def test_the_booking_rules_do_not_apply_to_turns_that_booked_nothing():
    assert (
        score("booking_as_asked", turn("Which day works for you?", use("check_availability", slots=[])))
        is None
    )
    assert score("handoff_as_asked", turn("Which day works for you?")) is None


def test_a_handoff_is_fine_when_asked_for_escalated_or_accepted_and_flagged_otherwise():
    handed = use("handoff_to_human", handed_off=True)
    assert score(
        "handoff_as_asked", turn("Passing you on.", handed, customer="Can I talk to a real person?")
    ) == (1.0, "asked")
    assert score("handoff_as_asked", turn("Passing you on.", handed, customer="This is unacceptable")) == (
        1.0,
        "asked",
    )
    offer = _thread(
        ("AGENT", "I can't answer that here. Would you like me to pass your question to a colleague?")
    )
    assert score(
        "handoff_as_asked", turn("Passing you on.", handed, customer="yes please", earlier=offer)
    ) == (1.0, "accepted_offer")
    assert score(
        "handoff_as_asked", turn("Passing you on.", handed, customer="Can I book a haircut tomorrow?")
    ) == (0.0, "unrequested")


def test_guardrail_hits_and_reply_length():
    assert score("guardrail_clean", turn("Hi!")) == (1.0, "clean")
    assert score("guardrail_clean", turn("Hi!", violations=["pii", "abuse", "pii"])) == (0.0, "pii")
    assert score("reply_length", turn("x" * 459)) == (1.0, "within_limit")  # 3 GSM-7 segments
    assert score("reply_length", turn("x" * 612)) == (0.75, "too_long")  # 4 segments of 3 allowed
    assert score("reply_length", turn("x" * 1001, channel=Channel.CHAT))[1] == "too_long"
    assert score("reply_length", turn(None)) is None
