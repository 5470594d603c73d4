"""The metrics rollup: real percentiles per minute and channel, the same points when run twice."""

from datetime import UTC, datetime, timedelta

from backend.agent.models import AgentRun, RunStatus, ToolCall
from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.observability.models import MetricPoint
from backend.observability.rollup import rollup_metrics
from tests.helpers import graphql

MINUTE = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


async def _runs(
    channel: Channel, latencies: list[float], statuses: list[RunStatus], minute: datetime
) -> None:
    conversation = await Conversation.create(
        channel=channel, thread_key=f"{channel.value}-{minute}", customer="c", last_message_at=minute
    )
    for index, (latency, status) in enumerate(zip(latencies, statuses, strict=False)):
        run = await AgentRun.create(
            conversation=conversation,
            policy="rules",
            prompt_name="p",
            prompt_version="v1",
            status=status,
            latency_ms=latency,
        )
        await AgentRun.filter(id=run.id).update(created_at=minute + timedelta(milliseconds=index * 500))
        await ToolCall.create(
            run=run,
            position=1,
            name="check_availability",
            latency_ms=1.0,
            error="boom" if index == 0 else None,
        )


async def _points() -> dict[tuple[str, str, datetime], float]:
    return {(p.name, p.channel, p.bucket_start): p.value for p in await MetricPoint.all()}


async def test_rollup_computes_real_percentiles_and_rates_and_is_idempotent(app):
    await _runs(
        Channel.SMS,
        [float(n) for n in range(1, 101)],
        [RunStatus.OK] * 98 + [RunStatus.FAILED, RunStatus.HANDED_OFF],
        MINUTE,
    )
    await _runs(Channel.CHAT, [1000.0, 3000.0], [RunStatus.OK, RunStatus.OK], MINUTE)
    await _runs(Channel.SMS, [5.0], [RunStatus.OK], MINUTE + timedelta(minutes=1))
    written = await rollup_metrics(now=MINUTE + timedelta(minutes=5), since=MINUTE)
    first = await _points()
    sms = {name: value for (name, channel, at), value in first.items() if channel == "SMS" and at == MINUTE}
    assert sms["turns"] == 100 and sms["latency_p50_ms"] == 50.5
    assert round(sms["latency_p95_ms"], 2) == 95.05 and round(sms["latency_p99_ms"], 2) == 99.01
    assert sms["failure_rate"] == 0.01 and sms["handoff_rate"] == 0.01
    assert sms["tool_error_rate"] == 0.01
    all_channels = {
        name: value for (name, channel, at), value in first.items() if channel == "ALL" and at == MINUTE
    }
    assert all_channels["turns"] == 102
    # The p95 of all 102 runs together (96.95 ms), not an average of the two channels' p95s.
    assert round(all_channels["latency_p95_ms"], 2) == 96.95
    assert first[("turns", "SMS", MINUTE + timedelta(minutes=1))] == 1

    assert await rollup_metrics(now=MINUTE + timedelta(minutes=5), since=MINUTE) == written
    assert await _points() == first


async def test_rollup_catches_up_from_the_last_minute_it_wrote(app):
    await _runs(Channel.VOICE, [10.0], [RunStatus.OK], MINUTE)
    await rollup_metrics(now=MINUTE + timedelta(minutes=2), since=MINUTE)
    await _runs(Channel.VOICE, [20.0, 30.0], [RunStatus.OK, RunStatus.OK], MINUTE + timedelta(minutes=3))
    await rollup_metrics(now=MINUTE + timedelta(minutes=10))  # no `since`: resumes on its own
    points = await _points()
    assert points[("turns", "VOICE", MINUTE)] == 1
    assert points[("turns", "VOICE", MINUTE + timedelta(minutes=3))] == 2
    assert points[("latency_p50_ms", "VOICE", MINUTE + timedelta(minutes=3))] == 25.0


METRICS = """
query($names: [String!]!, $from: DateTime!, $to: DateTime, $channel: String!) {
  metrics(names: $names, from: $from, to: $to, channel: $channel) { name channel points { at value } }
}
"""


async def test_metrics_query_returns_series_and_refuses_bad_input(app, client, make_key):
    key = await make_key(Scope.READ)
    await _runs(Channel.SMS, [10.0, 20.0], [RunStatus.OK, RunStatus.FAILED], MINUTE)
    await rollup_metrics(now=MINUTE + timedelta(minutes=2), since=MINUTE)
    window = {"from": MINUTE.isoformat(), "to": (MINUTE + timedelta(minutes=5)).isoformat()}
    body = (
        await graphql(
            client,
            METRICS,
            key=key,
            variables={"names": ["turns", "failure_rate"], "channel": "SMS", **window},
        )
    ).json()
    series = {item["name"]: item["points"] for item in body["data"]["metrics"]}
    assert [point["value"] for point in series["turns"]] == [2.0]
    assert [point["value"] for point in series["failure_rate"]] == [0.5]
    bad = (
        await graphql(client, METRICS, key=key, variables={"names": ["nonsense"], "channel": "SMS", **window})
    ).json()
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
