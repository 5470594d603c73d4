"""Services from the catalogue, names, phone numbers and order references."""

import pytest

from backend.agent.intents import Intent
from backend.agent.nlu import understand
from tests.agent.nlu.shop import NOW, read


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("can I get a haircut", "haircut"),
        ("two Haircuts please", "haircut"),
        ("can I get a hair cut", "haircut"),
        ("hiarcut tmrw", "haircut"),
        ("i need to trim my beard", "beard trim"),
        ("beard trimming", "beard trim"),
        ("a colour touch up", "color touch-up"),
        ("color touchups", "color touch-up"),
        ("get my roots done", "color touch-up"),
        ("teeth cleaning", "dental cleaning"),
        ("Dental Cleaning", "dental cleaning"),
        ("dentl cleaning", "dental cleaning"),
        ("eye test", "eye exam"),
        ("check my eyes", "eye exam"),
        ("a masage", "massage"),
        ("massages", "massage"),
        ("a haircut and a beard trim", "haircut"),
        # Salon words: a trim or a cut-and-blow-dry is a haircut, colouring is the colour service.
        ("just a trim please", "haircut"),
        ("a cut and blow dry", "haircut"),
        ("wash and cut", "haircut"),
        ("can i get a blow dry", "haircut"),
        ("a trim of my beard", "beard trim"),
        ("I want my hair dyed", "color touch-up"),
        ("could you colour my hair", "color touch-up"),
        ("highlights on friday", "color touch-up"),
        # Typos, matched by similarity (rapidfuzz).
        ("massge", "massage"),
        ("haircutt", "haircut"),
        ("beard trimm", "beard trim"),
    ],
)
def test_service_from_catalogue(text, service):
    assert read(text).service == service


@pytest.mark.parametrize(
    "text",
    [
        "leave a message",
        "get in touch",
        "the box was crushed",
        "I need a new charger",
        "I cut my finger",
        "trim",
    ],
)
def test_no_service(text):
    assert read(text).service is None


def test_service_is_spelled_as_the_catalogue_spells_it():
    services = ["Men's Haircut", "Deep Tissue Massage"]
    assert understand("a hair cut friday", now=NOW, services=services).service == "Men's Haircut"
    assert understand("massage", now=NOW, services=services).service == "Deep Tissue Massage"
    assert understand("trim my beard", now=NOW, services=services).service is None  # not offered here


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my name is Maria Lopez", "Maria Lopez"),
        ("my name is maria lopez and i'd like a haircut", "Maria Lopez"),
        ("I'm Tom", "Tom"),
        ("This is Dr. Smith calling", "Dr. Smith"),
        ("It's Chloe Nguyen", "Chloe Nguyen"),
        ("see you then - Maria", "Maria"),
        ("cancel my 3pm please — Lucas Moreau", "Lucas Moreau"),
        ("the name's Sofia Rossi", "Sofia Rossi"),
    ],
)
def test_name(text, name):
    assert read(text).name == name


@pytest.mark.parametrize(
    "text",
    [
        "I'm looking for a haircut",
        "i'm calling to book a massage",
        "This is the third time",
        "it's really frustrating",
        "It's Monday",
        "I'm Sorry",
        "Maria Lopez",
    ],
)
def test_no_name(text):
    assert read(text).name is None


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("(555) 123-4567", "+15551234567"),
        ("555-123-4567", "+15551234567"),
        ("555.123.4567", "+15551234567"),
        ("5551234567", "+15551234567"),
        ("+1 555 123 4567", "+15551234567"),
        ("1-555-123-4567", "+15551234567"),
        ("+44 20 7946 0958", "+442079460958"),
        ("my number is five five five one two three four five six seven", "+15551234567"),
        ("call me at 555 123 4567 tomorrow at 3", "+15551234567"),
        ("+1 (212) 555-0143", "+12125550143"),
        ("0044 20 7946 0958", None),  # "00" dialling out is a guardrail concern; the NLU reads "+44" only
        ("ring me on +33 1 42 68 53 00", "+33142685300"),
        ("two one two five five five oh one four three", "+12125550143"),
    ],
)
def test_phone(text, phone):
    assert read(text).phone == phone


@pytest.mark.parametrize(
    "text",
    [
        "123-4567",
        "order A-10293",
        "12/3 at 10:30",
        "I was charged $45.00",
        "order 1234567890",
        "+999 1234 5678",
    ],
)
def test_no_phone(text):
    assert read(text).phone is None


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("My order A-10293 arrived damaged", "A-10293"),
        ("order a-10817 never came", "A-10817"),
        ("order #A11942", "A-11942"),
        ("order number 55123", "55123"),
        ("booking ref XK92JD", "XK92JD"),
        ("it's #10293", "10293"),
    ],
)
def test_order_reference(text, reference):
    assert read(text).order_ref == reference


def test_reference_digits_are_not_read_as_phone_date_or_time():
    understanding = read("order C-31007 came with the wrong item")
    assert (understanding.order_ref, understanding.phone, understanding.date, understanding.time) == (
        "C-31007",
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "text", ["haircut please", "a trim?", "massage?", "hi, eye exam pls", "a blow dry pls"]
)
def test_a_message_naming_only_a_service_asks_for_it(text):
    understanding = read(text)
    assert (understanding.intent, understanding.confidence) == (
        Intent.BOOK,
        0.3,
    )  # weak: an answer can be this too


def test_a_service_named_as_the_answer_to_which_service_carries_no_intent():
    assert read("a trim", expecting="service").intent == Intent.OUT_OF_SCOPE
