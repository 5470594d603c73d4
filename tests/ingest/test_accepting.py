"""Accepting events: typed answers, duplicates recognised, batches answered one by one."""

from backend.core.scopes import Scope
from backend.ingest.models import IngestEvent, IngestStatus
from tests.helpers import graphql
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event


async def test_an_event_is_stored_received_and_a_resend_is_a_duplicate(client, make_key):
    key = await make_key(Scope.INGEST)
    sent = event(key="twilio-SM123", thread="thread-9", metadata={"carrier": "acme", "segments": 1})
    first = (await graphql(client, INGEST_EVENT, key=key, variables={"input": sent})).json()["data"][
        "ingestEvent"
    ]
    assert first["__typename"] == "EventAccepted" and first["duplicate"] is False

    again = (await graphql(client, INGEST_EVENT, key=key, variables={"input": sent})).json()["data"][
        "ingestEvent"
    ]
    assert again == {"__typename": "EventAccepted", "eventId": first["eventId"], "duplicate": True}

    stored = await IngestEvent.get(idempotency_key="twilio-SM123")
    assert stored.thread_key == "thread-9"
    assert stored.metadata == {"carrier": "acme", "segments": 1}
    assert stored.status in (IngestStatus.RECEIVED, IngestStatus.PROCESSED)
    assert await IngestEvent.all().count() == 1


async def test_a_batch_answers_each_event_in_order(client, make_key):
    key = await make_key(Scope.INGEST)
    events = [event(key="b-1"), event(key="b-2", text=""), event(key="b-1"), event(key="b-3", channel="CHAT")]
    body = (await graphql(client, INGEST_EVENTS, key=key, variables={"input": {"events": events}})).json()
    results = body["data"]["ingestEvents"]["results"]
    assert [result["__typename"] for result in results] == [
        "EventAccepted",
        "ValidationError",
        "EventAccepted",
        "EventAccepted",
    ]
    assert results[1]["field"] == "text"
    assert results[0]["duplicate"] is False and results[2]["duplicate"] is True
    assert results[0]["eventId"] == results[2]["eventId"]
    assert await IngestEvent.all().count() == 2


async def test_rate_limit_answers_with_a_sensible_retry_after(client, make_key, test_settings, monkeypatch):
    monkeypatch.setattr(test_settings, "rate_limit_per_sender_per_minute", 3)
    key = await make_key(Scope.INGEST)
    answers = []
    for _ in range(5):
        body = (
            await graphql(client, INGEST_EVENT, key=key, variables={"input": event(sender="+15559990000")})
        ).json()
        answers.append(body["data"]["ingestEvent"])
    assert [answer["__typename"] for answer in answers] == ["EventAccepted"] * 3 + ["RateLimited"] * 2
    assert 1 <= answers[-1]["retryAfterSeconds"] <= 60
    assert await IngestEvent.filter(sender="+15559990000").count() == 3
    other_sender = (
        await graphql(client, INGEST_EVENT, key=key, variables={"input": event(sender="+15559990001")})
    ).json()
    assert other_sender["data"]["ingestEvent"]["__typename"] == "EventAccepted"


async def test_events_are_accepted_while_redis_is_down(app, client, make_key):
    import redis.asyncio as aioredis

    key = await make_key(Scope.INGEST)
    ingest = app.state.services.ingest
    working_queue_redis, working_limiter_redis = ingest.queue.redis, ingest.rate_limiter._redis
    dead = aioredis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.3)
    ingest.queue.redis, ingest.rate_limiter._redis = dead, dead
    try:
        body = (
            await graphql(client, INGEST_EVENT, key=key, variables={"input": event(key="while-down")})
        ).json()
    finally:
        ingest.queue.redis, ingest.rate_limiter._redis = working_queue_redis, working_limiter_redis
        await dead.aclose()
    assert body["data"]["ingestEvent"]["__typename"] == "EventAccepted"
    assert (await IngestEvent.get(idempotency_key="while-down")).status == IngestStatus.RECEIVED


async def test_a_batch_is_limited_in_the_order_it_was_sent(client, make_key, test_settings, monkeypatch):
    monkeypatch.setattr(test_settings, "rate_limit_per_sender_per_minute", 3)
    key = await make_key(Scope.INGEST)
    events = [event(sender="+15559990002", key=f"limited-{index}") for index in range(5)] + [
        event(sender="+15559990003")
    ]
    body = (await graphql(client, INGEST_EVENTS, key=key, variables={"input": {"events": events}})).json()
    kinds = [result["__typename"] for result in body["data"]["ingestEvents"]["results"]]
    assert kinds == ["EventAccepted"] * 3 + ["RateLimited"] * 2 + ["EventAccepted"]
    assert sorted(
        await IngestEvent.filter(sender="+15559990002").values_list("idempotency_key", flat=True)
    ) == ["limited-0", "limited-1", "limited-2"]
