"""Bookings and availability checks for past times or closed hours are stopped before the tool runs."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.guardrails.engine import check_tool
from tests.guardrails.helpers import CONFIG

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZONE)  # Wednesday 10:00
HOURS = {day: (time(9), time(17)) for day in range(5)} | {3: (time(9), time(19)), 5: (time(9), time(14))}
SLOT_ARGUMENTS = {"slot_id": "7f0c2a52-1a2b-4c3d-9e8f-0a1b2c3d4e5f", "customer_name": "Maria Lopez"}
# Only this rule is under test here, so the schema accepts anything.
ANY_ARGUMENTS: dict = {}


def _fired(
    name: str, arguments: dict, *, slot_start: datetime | None = None, now: datetime = NOW
) -> list[str]:
    result = check_tool(
        name, arguments, config=CONFIG, json_schema=ANY_ARGUMENTS, now=now, hours=HOURS, slot_start=slot_start
    )
    return [finding.message for finding in result.findings if finding.rule == "booking_outside_hours"]


@pytest.mark.parametrize(
    ("slot_start", "why"),
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=ZONE), "in the past"),
        (NOW, "in the past"),
        (datetime(2026, 11, 29, 11, 0, tzinfo=ZONE), "closed"),  # Sunday
        (datetime(2026, 11, 27, 17, 0, tzinfo=ZONE), "outside opening hours"),  # closing time itself
        (datetime(2026, 11, 27, 8, 30, tzinfo=ZONE), "outside opening hours"),
        (datetime(2026, 11, 28, 14, 30, tzinfo=ZONE), "outside opening hours"),  # Saturday closes at 14
        (datetime(2026, 11, 27, 23, 0, tzinfo=ZoneInfo("UTC")), "outside opening hours"),  # 18:00 in New York
    ],
)
def test_booking_a_past_or_closed_slot_is_blocked(slot_start, why):
    (message,) = _fired("book_appointment", SLOT_ARGUMENTS, slot_start=slot_start)
    assert why in message


@pytest.mark.parametrize(
    "slot_start",
    [
        datetime(2026, 11, 25, 10, 30, tzinfo=ZONE),
        datetime(2026, 11, 26, 18, 30, tzinfo=ZONE),  # Thursday's late opening
        datetime(2026, 11, 28, 9, 0, tzinfo=ZONE),  # opening time itself
        datetime(2026, 11, 27, 20, 0, tzinfo=ZoneInfo("UTC")),  # 15:00 in New York
        datetime(2026, 11, 27, 15, 0),  # naive: read as business-local
        None,  # unknown slot: the tool itself answers "no such slot"
    ],
)
def test_booking_an_open_future_slot_passes(slot_start):
    assert _fired("book_appointment", SLOT_ARGUMENTS, slot_start=slot_start) == []


@pytest.mark.parametrize(
    "arguments",
    [
        {"service": "haircut", "date_from": "2026-11-24"},  # yesterday
        {"service": "haircut", "date_from": "2026-11-29"},  # Sunday only
        {"service": "haircut", "date_from": "2026-11-28", "from_time": "15:00"},  # Saturday closes at 14
        {"service": "haircut", "date_from": "2026-11-27", "from_time": "17:00"},
        {"service": "haircut", "date_from": "2026-11-25", "date_to": "2026-11-25", "from_time": "17:30"},
    ],
)
def test_availability_with_no_open_time_left_is_blocked(arguments):
    assert len(_fired("check_availability", arguments)) == 1


@pytest.mark.parametrize(
    "arguments",
    [
        {"service": "haircut", "date_from": "2026-11-25"},  # today, still open
        {
            "service": "haircut",
            "date_from": "2026-11-28",
            "date_to": "2026-11-30",
        },  # Sunday in a range with Monday
        {"service": "haircut", "date_from": "2026-11-26", "from_time": "18:00"},  # Thursday's late opening
        {"service": "haircut", "date_from": "next friday"},  # unparsable: tool_schema's job
        {
            "service": "haircut",
            "date_from": "2026-11-30",
            "date_to": "2026-11-27",
        },  # backwards: the tool refuses
    ],
)
def test_availability_with_some_open_time_passes(arguments):
    assert _fired("check_availability", arguments) == []


def test_late_in_the_day_today_counts_as_closed():
    evening = NOW.replace(hour=16, minute=59) + timedelta(minutes=5)
    assert (
        len(_fired("check_availability", {"service": "haircut", "date_from": "2026-11-25"}, now=evening)) == 1
    )


MOVE_ARGUMENTS = {"booking_id": "0b7e1c2d-3f4a-4b5c-8d6e-7f8091a2b3c4", "slot_id": SLOT_ARGUMENTS["slot_id"]}


@pytest.mark.parametrize(
    ("slot_start", "why"),
    [
        (datetime(2026, 11, 29, 11, 0, tzinfo=ZONE), "reschedule_booking on Sunday 2026-11-29, when"),
        (datetime(2026, 11, 27, 18, 0, tzinfo=ZONE), "reschedule_booking at 18:00 on Friday 2026-11-27"),
        (datetime(2026, 11, 25, 9, 30, tzinfo=ZONE), "reschedule_booking for a slot starting 2026-11-25"),
    ],
)
def test_moving_a_booking_to_a_closed_or_past_slot_is_blocked_like_booking_it(slot_start, why):
    (message,) = _fired("reschedule_booking", MOVE_ARGUMENTS, slot_start=slot_start)
    assert message.startswith(why)


def test_moving_a_booking_to_an_open_slot_passes():
    thursday_evening = datetime(2026, 11, 26, 18, 30, tzinfo=ZONE)  # the late opening
    assert _fired("reschedule_booking", MOVE_ARGUMENTS, slot_start=thursday_evening) == []


def test_other_tools_are_not_judged():
    assert _fired("create_ticket", {"subject": "late", "description": "running late"}) == []
    assert _fired("cancel_booking", {"booking_id": MOVE_ARGUMENTS["booking_id"]}) == []
    assert _fired("find_bookings", {}) == []


def test_a_naive_now_is_an_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        _fired("book_appointment", SLOT_ARGUMENTS, slot_start=NOW, now=NOW.replace(tzinfo=None))
