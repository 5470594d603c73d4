"""Realistic SMS, chat and voice messages: the intent each carries and every detail it gives."""

import datetime as dt
from dataclasses import fields

import pytest

from backend.agent.intents import Intent
from backend.agent.nlu import Understanding
from backend.agent.nlu.date_ranges import DateRange
from tests.agent.nlu.shop import (
    DECEMBER_3,
    DECEMBER_5,
    FRIDAY,
    MONDAY,
    NEXT_WEDNESDAY,
    SATURDAY,
    SUNDAY,
    THURSDAY,
    TODAY,
    TUESDAY,
    read,
)

SLOT_NAMES = [
    field.name
    for field in fields(Understanding)
    if field.name not in {"intent", "confidence", "ruled_out_dates", "ruled_out_times", "text", "rival"}
]
NO_INTENT = None  # the message only answers the agent: confidence at most 0.3, whatever it hints at


def case(
    text: str, intent: Intent | None, *, expecting: str | None = None, hint: Intent | None = None, **slots
):
    return pytest.param(text, intent, expecting, hint, slots, id=text[:60])


MESSAGES = [
    # Asking for a person wins over everything else in the message.
    case("can I talk to a real person", Intent.HUMAN),
    case("Can I talk to a real person please?", Intent.HUMAN),
    case("I want to speak to a manager.", Intent.HUMAN),
    case("agent", Intent.HUMAN),
    case("are you a bot?? i need a human", Intent.HUMAN),
    case("transfer me to someone who can actually help", Intent.HUMAN),
    case("um can i speak with somebody at the front desk", Intent.HUMAN),
    case("talk to a person about my double charge pls", Intent.HUMAN),
    case("can someone call me back at (555) 123-4567", Intent.HUMAN, phone="+15551234567"),
    # Problems win over the booking words they mention.
    case("I was charged twice", Intent.PROBLEM),
    case("my order arrived damaged", Intent.PROBLEM),
    case("the booking page keeps giving me an error", Intent.PROBLEM),
    case("My order A-10293 arrived damaged, the box was crushed.", Intent.PROBLEM, order_ref="A-10293"),
    case(
        "yeah hi my order B-20455 never showed up and the tracking hasn't moved in a week",
        Intent.PROBLEM,
        order_ref="B-20455",
    ),
    case(
        "i was overcharged for my massage last friday 😡",
        Intent.PROBLEM,
        service="massage",
        date=dt.date(2026, 11, 20),
    ),
    case("the app wont let me pick a time", Intent.PROBLEM),
    case("This is the third time my appointment was moved without asking me. Unacceptable.", Intent.PROBLEM),
    case("I want a refund for order #55123", Intent.PROBLEM, order_ref="55123"),
    case("Can someone look into it? It's really frustrating.", Intent.PROBLEM),
    case("can you open a ticket or something", Intent.PROBLEM),
    case("I'd like a replacement please.", Intent.PROBLEM),
    case(
        "I never got a confirmation text for my haircut friday",
        Intent.PROBLEM,
        service="haircut",
        date=FRIDAY,
    ),
    case("my appointment got cancelled and nobody told me", Intent.PROBLEM),
    # Moving an appointment.
    case("I need to reschedule my haircut to Friday", Intent.RESCHEDULE, service="haircut", date=FRIDAY),
    case(
        "can we move my appt from thursday to monday morning?",
        Intent.RESCHEDULE,
        date=MONDAY,
        time_of_day="morning",
    ),
    case(
        "something came up, can I push my massage back to next tuesday at 4",
        Intent.RESCHEDULE,
        service="massage",
        date=TUESDAY,
        time=dt.time(16, 0),
    ),
    case("need to change my eye exam to a different day", Intent.RESCHEDULE, service="eye exam"),
    case("can i do saturday instead?", Intent.RESCHEDULE, date=SATURDAY),
    case("resched to 12/3 pls", Intent.RESCHEDULE, date=DECEMBER_3),
    case(
        "yeah hi um i need to reschedule my massage from friday to next wednesday at ten thirty",
        Intent.RESCHEDULE,
        service="massage",
        date=NEXT_WEDNESDAY,
        time=dt.time(10, 30),
    ),
    # Calling one off.
    case("please cancel my appointment tomorrow", Intent.CANCEL, date=THURSDAY),
    case(
        "Please cancel my appointment Dec 3, something came up. - Maria Lopez",
        Intent.CANCEL,
        date=DECEMBER_3,
        name="Maria Lopez",
    ),
    case("hello i had an appointment next tuesday and i need to cancel it", Intent.CANCEL, date=TUESDAY),
    case(
        "I won't be able to make it to my beard trim on the 5th",
        Intent.CANCEL,
        service="beard trim",
        date=DECEMBER_5,
    ),
    case("cancle my dental cleaning plz", Intent.CANCEL, service="dental cleaning"),
    case("need to cancel my 3:30 tomorrow, sorry!", Intent.CANCEL, date=THURSDAY, time=dt.time(15, 30)),
    case(
        "hi this is James Okafor i wanted to cancel my eye exam on december third",
        Intent.CANCEL,
        name="James Okafor",
        service="eye exam",
        date=DECEMBER_3,
    ),
    # Making a new one.
    case(
        "can I book a haircut tomorrow at 3pm",
        Intent.BOOK,
        service="haircut",
        date=THURSDAY,
        time=dt.time(15, 0),
    ),
    case(
        "Hi, can I book a dental cleaning next Tuesday at 4:15pm?",
        Intent.BOOK,
        service="dental cleaning",
        date=TUESDAY,
        time=dt.time(16, 15),
    ),
    case(
        "hi um yeah i'm calling to book a massage for this saturday",
        Intent.BOOK,
        service="massage",
        date=SATURDAY,
    ),
    case(
        "I'd like to schedule an eye exam for December 3rd in the afternoon",
        Intent.BOOK,
        service="eye exam",
        date=DECEMBER_3,
        time_of_day="afternoon",
    ),
    case(
        "i need a hair cut friday around 10:30",
        Intent.BOOK,
        service="haircut",
        date=FRIDAY,
        time=dt.time(10, 30),
    ),
    case(
        "could i get a colour touch up tmrw morning",
        Intent.BOOK,
        service="color touch-up",
        date=THURSDAY,
        time_of_day="morning",
    ),
    case(
        "Book me in for a beard trim at half past 2 on the 28th",
        Intent.BOOK,
        service="beard trim",
        date=SATURDAY,
        time=dt.time(14, 30),
    ),
    case(
        "I'd like to make an appointment for a massage, my name is Priya Natarajan, number 555-123-4567",
        Intent.BOOK,
        service="massage",
        name="Priya Natarajan",
        phone="+15551234567",
    ),
    case("hey can i get an apointment for sunday at noon", Intent.BOOK, date=SUNDAY, time=dt.time(12, 0)),
    # Asking what is free, or when the business is open.
    case("do you have anything Tuesday morning?", Intent.AVAILABILITY, date=TUESDAY, time_of_day="morning"),
    case("are you open on Saturday", Intent.AVAILABILITY, date=SATURDAY),
    case("what are your opening hours", Intent.AVAILABILITY),
    case("What are your opening hours on Saturday?", Intent.AVAILABILITY, date=SATURDAY),
    case("And do you take walk-ins?", Intent.AVAILABILITY),
    case(
        "Do you have anything for a color touch-up Monday morning?",
        Intent.AVAILABILITY,
        service="color touch-up",
        date=MONDAY,
        time_of_day="morning",
    ),
    case("i just want to know if you're open Dec 3", Intent.AVAILABILITY, date=DECEMBER_3),
    case(
        "any openings for a massage the day after tomorrow?",
        Intent.AVAILABILITY,
        service="massage",
        date=FRIDAY,
    ),
    case("r u guys open tonight", Intent.AVAILABILITY, date=TODAY, time_of_day="evening"),
    case(
        "whats ur availability like next week",
        Intent.AVAILABILITY,
        date_range=DateRange(MONDAY, dt.date(2026, 12, 6)),
    ),
    # Greetings and thanks.
    case("hi", Intent.GREETING),
    case("hello there", Intent.GREETING),
    case("Good morning!", Intent.GREETING),
    case("hey 👋", Intent.GREETING),
    case("thanks!", Intent.THANKS),
    case("great, thank you", Intent.THANKS),
    case("Thanks so much, see you Friday!", Intent.THANKS, date=FRIDAY),
    case("ok perfect thx 🙏", Intent.THANKS),
    # A thanks (🙏 reads as one) does not win over a service and a day asked for with a please: a booking, as
    # weak as "massage in two weeks please" without it (no intent under way is overridden).
    case(
        "Massage in two weeks please 🙏",
        NO_INTENT,
        hint=Intent.BOOK,
        service="massage",
        date_range=DateRange(dt.date(2026, 12, 7), dt.date(2026, 12, 13)),
    ),
    case("thanks, see you friday for the haircut", Intent.THANKS, service="haircut", date=FRIDAY),
    case(
        "hi yeah so i wanted to see if i could get a haircut on friday at like three",
        Intent.BOOK,
        service="haircut",
        date=FRIDAY,
        time=dt.time(15, 0),
    ),
    case("Can I come at 8:30 tomorrow?", Intent.BOOK, date=THURSDAY, time=dt.time(8, 30)),
    case("Maria here, can I book a haircut", Intent.BOOK, service="haircut", name="Maria"),
    case("whens the earliest I can get a haircut", Intent.AVAILABILITY, service="haircut"),
    case("do you do kids haircuts", Intent.AVAILABILITY, service="haircut"),
    case("Are you guys open on thanksgiving", Intent.AVAILABILITY, date=THURSDAY),
    case("what time do you close on friday", Intent.AVAILABILITY, date=FRIDAY),
    case("Is 4:30 still available?", Intent.AVAILABILITY, time=dt.time(16, 30)),
    case("your website is down", Intent.PROBLEM),
    case("I have a question about my bill", Intent.PROBLEM),
    case("i got a text saying my appointment was cancelled but i didnt cancel it", Intent.PROBLEM),
    case("is this a robot", Intent.HUMAN),
    case("i want to cancel", Intent.CANCEL),
    # Cancelling, moving and looking up a booking the customer already holds.
    case("can you make it 4 instead?", Intent.RESCHEDULE, time=dt.time(16, 0)),
    case("can you push it to Friday at 11", Intent.RESCHEDULE, date=FRIDAY, time=dt.time(11, 0)),
    case("When is my appointment?", Intent.LOOKUP),
    case("when's my haircut tomorrow?", Intent.LOOKUP, service="haircut", date=THURSDAY),
    case("do I have an appointment on Friday?", Intent.LOOKUP, date=FRIDAY),
    case(
        "is my color touch-up still on for saturday?", Intent.LOOKUP, service="color touch-up", date=SATURDAY
    ),
    case("What's your cancellation policy? Is there a fee?", Intent.OUT_OF_SCOPE),
    case("is there a fee if I cancel?", NO_INTENT),
    case("I need to cancel, what's the cancellation fee?", Intent.CANCEL),
    case("this is Sofia, I'd like to reschedule", Intent.RESCHEDULE, name="Sofia"),
    # Outside what the shop does.
    case("what's the weather", Intent.OUT_OF_SCOPE),
    case("tell me a joke", Intent.OUT_OF_SCOPE),
    case("who won the game last night", Intent.OUT_OF_SCOPE),
    case("how much is a haircut", Intent.OUT_OF_SCOPE, service="haircut"),
    case("where are you located", Intent.OUT_OF_SCOPE),
    # Answers to the agent's questions: no intent of their own.
    case("3pm works for me", NO_INTENT, time=dt.time(15, 0)),
    case("yes", NO_INTENT),
    case("no i don't want to cancel", NO_INTENT),
    case("what about the 2nd", NO_INTENT, date=dt.date(2026, 12, 2)),
    case("ok so tuesday at two then", NO_INTENT, date=TUESDAY, time=dt.time(14, 0)),
    case("my name is uh chloe nguyen", NO_INTENT, name="Chloe Nguyen"),
    case("530pm works", NO_INTENT, time=dt.time(17, 30)),
    case("uh 10:30 if you have it", NO_INTENT, expecting="time", time=dt.time(10, 30)),
    case("it's Tom Becker", NO_INTENT, expecting="name", name="Tom Becker"),
    case("yes the name is Aiko Tanaka", NO_INTENT, expecting="name", name="Aiko Tanaka"),
    case("Maria Lopez", NO_INTENT, expecting="name", name="Maria Lopez"),
    case("Friday", NO_INTENT, expecting="date", date=FRIDAY),
    case("the 5th", NO_INTENT, expecting="date", date=DECEMBER_5),
    case("noon", NO_INTENT, expecting="time", time=dt.time(12, 0)),
    case("my number is (555) 123-4567", NO_INTENT, expecting="phone", phone="+15551234567"),
    case("a beard trim", NO_INTENT, expecting="service", service="beard trim"),
    case("morning works best", NO_INTENT, expecting="time", time_of_day="morning"),
    case("how about three thirty", NO_INTENT, expecting="time", time=dt.time(15, 30)),
    case("its 2125550143", NO_INTENT, expecting="phone", phone="+12125550143"),
    case("Anything around 4:15pm?", NO_INTENT, hint=Intent.AVAILABILITY, time=dt.time(16, 15)),
    case("The photos are attached.", NO_INTENT, hint=Intent.PROBLEM),
    case("I tried two browsers already.", NO_INTENT, hint=Intent.PROBLEM),
    case(
        "eye exam on 12/3 at 9",
        NO_INTENT,
        hint=Intent.BOOK,
        service="eye exam",
        date=DECEMBER_3,
        time=dt.time(9, 0),
    ),
]


@pytest.mark.parametrize(("text", "intent", "expecting", "hint", "slots"), MESSAGES)
def test_message_is_understood(text, intent, expecting, hint, slots):
    understanding = read(text, expecting=expecting)
    if intent is NO_INTENT:
        assert understanding.confidence <= 0.3 and not understanding.carries_intent
        assert understanding.intent == (hint or Intent.OUT_OF_SCOPE)
    else:
        assert (understanding.intent, understanding.carries_intent) == (intent, True)
        assert 0.3 < understanding.confidence <= 1.0
    assert {name: getattr(understanding, name) for name in SLOT_NAMES} == {
        name: slots.get(name) for name in SLOT_NAMES
    }


def test_there_are_at_least_sixty_messages():
    assert len(MESSAGES) >= 60
