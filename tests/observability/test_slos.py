"""SLO burn rates from the recorded runs; an alert needs both its long and its short window burning."""

from datetime import UTC, datetime, timedelta

from backend.agent.models import AgentRun, RunStatus
from backend.conversations.models import Conversation
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.observability.slo import evaluate_slos, load_slos, parse_window
from tests.helpers import graphql

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def _runs(*, ago: timedelta, count: int, failed: int) -> None:
    conversation = await Conversation.create(
        channel=Channel.SMS, thread_key=f"slo-{ago}", customer="c", last_message_at=NOW
    )
    for index in range(count):
        run = await AgentRun.create(
            conversation=conversation,
            policy="rules",
            prompt_name="p",
            prompt_version="v1",
            status=RunStatus.FAILED if index < failed else RunStatus.OK,
            latency_ms=100.0,
        )
        await AgentRun.filter(id=run.id).update(created_at=NOW - ago + timedelta(milliseconds=index))


def _by_name(statuses):
    return {status.name: status for status in statuses}


def test_the_slo_file_loads_and_windows_parse():
    spec = load_slos()
    assert {slo.name for slo in spec.slos} == {
        "turn_success",
        "turn_latency",
        "handoff_rate",
        "no_unbacked_claims",
    }
    quality = next(slo for slo in spec.slos if slo.bad == "quality")
    assert (quality.evaluator, quality.below) == ("backed_claims", 1.0)  # the evaluator's pass_at by default
    assert [(rule.long_window, rule.short_window, rule.burn_rate) for rule in spec.alerts] == [
        ("1h", "5m", 14.4),
        ("6h", "30m", 6.0),
        ("3d", "6h", 1.0),
    ]
    assert parse_window("5m") == timedelta(minutes=5) and parse_window("3d") == timedelta(days=3)


async def test_a_failure_burst_burns_fast_and_pages(app):
    await _runs(ago=timedelta(minutes=2), count=100, failed=20)  # 20 % failing against a 1 % budget
    success = _by_name(await evaluate_slos(now=NOW))["turn_success"]
    rates = {rate.window: rate.rate for rate in success.burn_rates}
    assert round(rates["5m"], 6) == 20.0 and round(rates["1h"], 6) == 20.0
    assert ("page", "1h", "5m") in {
        (alert.severity, alert.long_window, alert.short_window) for alert in success.firing
    }
    assert round(success.budget_remaining, 6) == -19.0


async def test_a_burst_that_stopped_does_not_page_on_the_fast_pair(app):
    await _runs(
        ago=timedelta(minutes=40), count=100, failed=40
    )  # an hour-window burn, but nothing in the last 5 m
    await _runs(ago=timedelta(minutes=2), count=50, failed=0)
    success = _by_name(await evaluate_slos(now=NOW))["turn_success"]
    rates = {rate.window: rate.rate for rate in success.burn_rates}
    assert rates["1h"] > 14.4 and rates["5m"] == 0
    assert ("1h", "5m") not in {(alert.long_window, alert.short_window) for alert in success.firing}


async def test_scaled_windows_let_a_test_play_hours_in_seconds(app):
    await _runs(ago=timedelta(seconds=1), count=10, failed=10)
    scaled = _by_name(await evaluate_slos(now=NOW, scale=0.001))["turn_success"]  # 5 m → 0.3 s, 1 h → 3.6 s
    rates = {rate.window: rate.rate for rate in scaled.burn_rates}
    assert rates["5m"] == 0 and round(rates["1h"], 6) == 100.0


async def test_slos_query(app, client, make_key):
    key = await make_key(Scope.READ)
    body = (
        await graphql(
            client,
            "{ slos { name objective budgetRemaining burnRates { window rate } firing { severity }"
            " evaluator } }",
            key=key,
        )
    ).json()
    names = [slo["name"] for slo in body["data"]["slos"]]
    assert names == ["turn_success", "turn_latency", "handoff_rate", "no_unbacked_claims"]
    # The quality objective names what it counts (the Metrics page's quality panel shows it by evaluator).
    assert [slo["evaluator"] for slo in body["data"]["slos"]] == [None, None, None, "backed_claims"]
    assert all(slo["budgetRemaining"] == 1.0 and slo["firing"] == [] for slo in body["data"]["slos"])
