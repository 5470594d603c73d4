"""Validation messages are written for the client: no Python exception names from pydantic leak through."""

from datetime import UTC, datetime, timedelta

from backend.graphql.validation import validate_input
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.settings import get_settings


def test_a_custom_check_reads_as_its_own_message_without_the_value_error_prefix():
    limits = IngestLimits.from_settings(get_settings())
    answer = validate_input(
        IncomingEvent,
        {
            "channel": "SMS",
            "idempotency_key": "k",
            "sender": "+15550001111",
            "text": "hi",
            "occurred_at": datetime.now(UTC) + timedelta(days=3),
        },
        context={"limits": limits},
    )
    assert answer.field == "occurredAt"
    assert answer.message == "is too far in the future (check the adapter's clock)"


def test_a_builtin_check_keeps_pydantic_s_plain_message():
    limits = IngestLimits.from_settings(get_settings())
    answer = validate_input(IncomingEvent, {"channel": "SMS"}, context={"limits": limits})
    assert answer.message == "Field required"
