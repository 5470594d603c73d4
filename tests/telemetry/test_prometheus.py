"""/metrics on the API and on each worker parse as Prometheus exposition and carry the named series."""

import httpx
from prometheus_client.parser import text_string_to_metric_families

from backend.core.scopes import Scope
from tests.agent.helpers import open_business, replies_to, say
from tests.conftest import WORKER_METRICS_PORT
from tests.helpers import graphql, wait_until
from tests.ingest.documents import INGEST_EVENT, event


def _samples(text: str) -> dict[str, list]:
    families = {family.name: family.samples for family in text_string_to_metric_families(text)}
    return families


async def test_api_metrics_parse_and_count_what_happened(client, make_key):
    key = await make_key(Scope.INGEST)
    await graphql(client, INGEST_EVENT, key=key, variables={"input": event(key="metrics-1", channel="CHAT")})
    await graphql(client, INGEST_EVENT, key=key, variables={"input": event(key="metrics-1", channel="CHAT")})
    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    families = _samples(response.text)
    for name in (
        "agentops_http_requests",
        "agentops_http_request_seconds",
        "agentops_ingest_events",
        "agentops_queue_depth",
        "agentops_dead_letters",
        "agentops_ingest_events_by_status",
    ):
        assert name in families, sorted(families)
    ingested = {
        (s.labels["channel"], s.labels["outcome"]): s.value
        for s in families["agentops_ingest_events"]
        if s.name.endswith("_total")
    }
    assert ingested[("CHAT", "accepted")] >= 1 and ingested[("CHAT", "duplicate")] >= 1
    routes = {s.labels["route"] for s in families["agentops_http_requests"] if s.name.endswith("_total")}
    assert "/graphql" in routes
    received = [
        s.value for s in families["agentops_ingest_events_by_status"] if s.labels["status"] == "RECEIVED"
    ]
    assert (
        received
        and received[0]
        + sum(
            s.value for s in families["agentops_ingest_events_by_status"] if s.labels["status"] != "RECEIVED"
        )
        == 1
    )


async def test_worker_metrics_show_jobs_turns_and_tool_calls(client, make_key, workers):
    key = await make_key(Scope.INGEST)
    await open_business()
    await say(client, key, sender="+15556660001", text="Do you have anything for a haircut tomorrow?")
    await replies_to("+15556660001", count=1)

    async def scraped():
        totals: dict[str, float] = {}
        for port in range(WORKER_METRICS_PORT, WORKER_METRICS_PORT + len(workers)):
            text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
            for samples in _samples(text).values():
                for sample in samples:
                    if sample.name.endswith(("_total", "_count")):
                        totals[f"{sample.name}{sorted(sample.labels.items())}"] = (
                            totals.get(f"{sample.name}{sorted(sample.labels.items())}", 0) + sample.value
                        )
        jobs = sum(
            v for k, v in totals.items() if k.startswith("agentops_jobs_total") and "process_event" in k
        )
        turns = sum(v for k, v in totals.items() if k.startswith("agentops_agent_turn_seconds_count"))
        tools = sum(
            v
            for k, v in totals.items()
            if k.startswith("agentops_tool_calls_total") and "check_availability" in k
        )
        seen.append((jobs, turns, tools))
        return (jobs, turns, tools) if jobs >= 1 and turns >= 1 and tools >= 1 else None

    seen: list = []
    try:
        await wait_until(scraped, timeout=20, message="worker metrics counting the turn")
    except AssertionError:
        raise AssertionError(f"last scrape (jobs, turns, tools): {seen[-1:]}") from None
