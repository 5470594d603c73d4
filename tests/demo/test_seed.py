"""The demo seed is deterministic, goes through the real accept path, and is harmless to repeat."""

from backend.agent.models import ToolCall
from backend.conversations.models import Conversation, ConversationStatus, Message, MessageDirection
from backend.demo.seed import DEMO_CONVERSATIONS, demo_events, seed_demo
from backend.ingest.models import IngestEvent, IngestStatus
from backend.scheduling.models import Booking
from backend.scheduling.seed import business_today, seed_business
from backend.tickets.models import Ticket
from tests.helpers import wait_until


def test_demo_events_are_the_same_every_run():
    first, second = demo_events(), demo_events()
    assert [(event["idempotency_key"], event["sender"], event["text"]) for event in first] == [
        (event["idempotency_key"], event["sender"], event["text"]) for event in second
    ]
    assert {event["channel"].value for event in first} == {"SMS", "CHAT", "VOICE"}
    assert not any("{" in event["text"] for event in first)  # every placeholder filled


async def test_seed_goes_through_ingestion_and_workers_build_the_conversations(app, workers):
    context = app.state.services.ingest
    await seed_business(timezone=context.settings.business_timezone, today=business_today(context.settings))
    sent = await seed_demo(context=context)
    assert (
        sent == len(demo_events())
        and await IngestEvent.filter(metadata__contains={"source": "demo-seed"}).count() == sent
    )
    assert await seed_demo(context=context) == 0  # second run: every event is a duplicate

    async def all_processed():
        return await IngestEvent.filter(status=IngestStatus.PROCESSED).count() == sent

    await wait_until(all_processed, timeout=60, message="the demo events being processed")
    assert await Conversation.all().count() == DEMO_CONVERSATIONS
    assert await Message.filter(direction=MessageDirection.INBOUND).count() == sent
    # The demo exercises every tool a new customer reaches: bookings, tickets, a handoff, a slot someone else
    # got first, and cancellations and moves that find no booking under a number that never booked.
    assert await Booking.all().count() >= 3
    assert await Ticket.all().count() >= 3
    assert await Conversation.filter(status=ConversationStatus.HANDED_OFF).exists()
    used = set(await ToolCall.all().values_list("name", flat=True))
    assert used == {
        "check_availability",
        "book_appointment",
        "find_bookings",
        "create_ticket",
        "handoff_to_human",
    }
    replies = await Message.filter(direction=MessageDirection.OUTBOUND).values_list("text", flat=True)
    assert any("11am isn't available" in reply or "11am was just taken" in reply for reply in replies)


async def test_a_week_of_operations_history_through_the_real_rollup_and_slo_evaluation(app):
    from datetime import UTC, datetime, timedelta

    from backend.demo.ops_history import ON_CALL, seed_ops_history
    from backend.incidents.models import Incident, IncidentEntry, IncidentStatus
    from backend.observability.models import MetricPoint
    from backend.observability.series import read_series

    now = datetime.now(UTC)
    added = await seed_ops_history(timezone="America/New_York", now=now)
    assert added > 1000
    first = await MetricPoint.filter(name="turns", channel="ALL").order_by("bucket_start").first()
    last = await MetricPoint.filter(name="turns", channel="ALL").order_by("-bucket_start").first()
    assert last.bucket_start - first.bucket_start > timedelta(days=6, hours=20)
    rates, turns = await read_series(
        names=["failure_rate", "turns"], start=now - timedelta(days=7), end=now, channel="ALL", step=3600
    )
    busy = {
        point.at for point in turns.points if point.value >= 10
    }  # one failure in a quiet night hour is noise
    worst = max((point for point in rates.points if point.at in busy), key=lambda point: point.value)
    assert worst.value > 0.1 and now - timedelta(days=3) < worst.at < now - timedelta(days=1)  # the outage

    page = await Incident.get(slo="turn_success", severity="page")
    assert page.status == IncidentStatus.RESOLVED and page.acknowledged_by == ON_CALL
    assert page.opened_at < page.acknowledged_at < page.resolved_at < now - timedelta(days=1)
    kinds = [entry.kind for entry in await IncidentEntry.filter(incident_id=page.id).order_by("created_at")]
    assert kinds[0] == "opened" and kinds[-1] == "resolved" and {"acknowledged", "note"} <= set(kinds)

    assert await seed_ops_history(timezone="America/New_York", now=now) == 0  # once per install
    assert await Incident.filter(slo="turn_success", severity="page").count() == 1
