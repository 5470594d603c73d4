"""Group commit through the real API: concurrent accepts share one INSERT and one Redis round trip each way,
and every request still gets its own answer — only after its row is committed."""

import asyncio

import asyncpg
import pytest
from strawberry import relay

from backend.core.scopes import Scope
from backend.ingest.models import IngestEvent
from tests.helpers import RedisRoundTrips, StatementCounter, graphql
from tests.ingest.documents import INGEST_EVENT, INGEST_EVENTS, event

RATE_LIMITS = "agentops:ratelimit:"
ENQUEUES = "saq:agentops:incomplete"


def _inserts(counter: StatementCounter) -> list[str]:
    return [statement for statement in counter.statements if "INSERT INTO ingest_events" in statement]


@pytest.fixture
def gathering(app, monkeypatch):
    """The API's group commit with a wide window, so requests sent together surely land in one group."""
    group_commit = app.state.services.ingest.group_commit
    monkeypatch.setattr(group_commit, "wait_seconds", 0.2)
    return group_commit


async def _send(client, key, sent):
    body = (await graphql(client, INGEST_EVENT, key=key, variables={"input": sent})).json()
    return body["data"]["ingestEvent"]


def _jobs_enqueued(redis: RedisRoundTrips) -> int:
    # Counted as sent, not read back from the queue: workers of other tests may already be taking them.
    return sum(sent.count(b"EVALSHA") for sent in redis.touching(ENQUEUES))


async def test_one_accept_is_one_insert_and_one_round_trip_each_way(app, client, make_key, monkeypatch):
    key = await make_key(Scope.INGEST)
    await _send(client, key, event())  # warm: the key cache, the scripts loaded in Redis
    statements, redis = StatementCounter(monkeypatch), RedisRoundTrips(monkeypatch)
    answer = await _send(client, key, event(key="single"))
    assert answer["__typename"] == "EventAccepted" and answer["duplicate"] is False
    assert len(_inserts(statements)) == 1 and len(statements.statements) == 1, statements.statements
    assert len(redis.touching(RATE_LIMITS)) == 1  # per-key and per-sender counters together
    assert len(redis.touching(ENQUEUES)) == 1


async def test_concurrent_accepts_share_one_insert_and_each_gets_its_own_answer(
    app, client, make_key, monkeypatch, gathering
):
    key = await make_key(Scope.INGEST)
    await _send(client, key, event())
    statements, redis = StatementCounter(monkeypatch), RedisRoundTrips(monkeypatch)
    sent = [event(key=f"together-{n}", sender=f"+1555000{n:04d}") for n in range(20)]
    answers = await asyncio.gather(*(_send(client, key, one) for one in sent))

    assert all(answer["__typename"] == "EventAccepted" and answer["duplicate"] is False for answer in answers)
    assert len({answer["eventId"] for answer in answers}) == 20
    assert len(_inserts(statements)) == 1, statements.statements
    assert len(redis.touching(RATE_LIMITS)) == 1 and len(redis.touching(ENQUEUES)) == 1
    # Each answer names its own event.
    stored = {
        row.idempotency_key: row for row in await IngestEvent.filter(idempotency_key__startswith="together-")
    }
    for one, answer in zip(sent, answers, strict=False):
        assert relay.from_base64(answer["eventId"])[1] == str(stored[one["idempotencyKey"]].id)
    assert _jobs_enqueued(redis) == 20


async def test_the_same_key_twice_in_one_group_is_one_row_one_job_and_a_duplicate_answer(
    app, client, make_key, monkeypatch, gathering
):
    key = await make_key(Scope.INGEST)
    redis = RedisRoundTrips(monkeypatch)
    same = event(key="twice")
    batch = {"input": {"events": [event(key="twice"), event(key="other")]}}
    first, second, many = await asyncio.gather(
        _send(client, key, same),
        _send(client, key, same),
        graphql(client, INGEST_EVENTS, key=key, variables=batch),
    )
    results = many.json()["data"]["ingestEvents"]["results"]
    twice = [first, second, results[0]]
    assert sorted(answer["duplicate"] for answer in twice) == [False, True, True]
    assert len({answer["eventId"] for answer in twice}) == 1
    assert await IngestEvent.filter(idempotency_key="twice").count() == 1
    assert _jobs_enqueued(redis) == 2  # "twice" and "other"


async def test_rate_limits_answer_each_request_of_a_group(
    app, client, make_key, test_settings, monkeypatch, gathering
):
    monkeypatch.setattr(test_settings, "rate_limit_per_sender_per_minute", 3)
    key = await make_key(Scope.INGEST)
    redis = RedisRoundTrips(monkeypatch)
    answers = await asyncio.gather(*(_send(client, key, event(sender="+15559991234")) for _ in range(5)))
    kinds = sorted(answer["__typename"] for answer in answers)
    assert kinds == ["EventAccepted"] * 3 + ["RateLimited"] * 2
    assert all(
        1 <= answer["retryAfterSeconds"] <= 60 for answer in answers if answer["__typename"] == "RateLimited"
    )
    assert await IngestEvent.filter(sender="+15559991234").count() == 3
    assert _jobs_enqueued(redis) == 3 and len(redis.touching(RATE_LIMITS)) == 1


async def test_an_answer_comes_only_after_its_row_is_committed(app, client, make_key, test_settings):
    key = await make_key(Scope.INGEST)
    await _send(client, key, event())
    # Another session holds a lock that every INSERT into the table waits for: the accept cannot commit.
    blocker = await asyncpg.connect(str(test_settings.database_url))
    try:
        transaction = blocker.transaction()
        await transaction.start()
        await blocker.execute("LOCK TABLE ingest_events IN SHARE MODE")
        pending = asyncio.ensure_future(_send(client, key, event(key="held")))
        await asyncio.sleep(0.5)
        assert not pending.done()  # no answer while the row is not committed
        await transaction.rollback()
        answer = await asyncio.wait_for(pending, 10)
        assert answer["__typename"] == "EventAccepted"
        # Answered, so committed: another session sees it at once.
        assert (
            await blocker.fetchval("SELECT count(*) FROM ingest_events WHERE idempotency_key = 'held'") == 1
        )
    finally:
        await blocker.close()


async def test_the_pipelined_enqueue_runs_saqs_own_script(app, test_settings):
    # backend/jobqueue.py sends SAQ's enqueue script itself (in one pipeline): a SAQ upgrade that changes the
    # script must fail here, not silently diverge.
    from backend.ingest.queueing import make_queue
    from backend.jobqueue import _SAQ_ENQUEUE

    queue = make_queue(test_settings)  # a fresh queue: its script is the one SAQ registers, not ours
    try:
        await queue.enqueue(
            "no_such_job", key="script-check", scheduled=2**40
        )  # far in the future: never run
        assert queue._enqueue_script.script == _SAQ_ENQUEUE
    finally:
        await queue.redis.flushdb()
        await queue.disconnect()
