"""Workers started on a full queue run each job once: 500 queued events give 500 first attempts and no second
one.

Real processes on a product of their own (tests/isolated.py): an API accepts 500 events while no worker runs,
then two workers start together on the full queue, with the reconciler on the suite's fast rhythm (every
second, for events RECEIVED over 2 s — every queued event qualifies while the queue drains). Attempts are
counted twice, by two witnesses: SAQ's record of each event's job, and the workers' Prometheus count of
process_event runs.
"""

from __future__ import annotations

import asyncio
import json

import asyncpg
import httpx
import redis
from prometheus_client.parser import text_string_to_metric_families

from tests.helpers import free_port, wait_until
from tests.ingest.documents import INGEST_EVENTS, event
from tests.isolated import isolated_product

EVENTS = 500
TURNS_PER_THREAD = 2  # a thread's second message waits for the first one's turn: the lease path runs too


def _runs_counted(port: int) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        if family.name == "agentops_jobs"
        for sample in family.samples
        if sample.name == "agentops_jobs_total" and sample.labels["function"] == "process_event"
    )


async def _final_statuses(dsn: str) -> dict[str, int]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT status, count(*) AS n FROM ingest_events GROUP BY status")
        return {row["status"]: row["n"] for row in rows}
    finally:
        await connection.close()


async def test_a_worker_start_on_a_full_queue_runs_every_job_once(test_settings, tmp_path):
    async with isolated_product(
        test_settings,
        name="worker_start",
        logs=tmp_path,
        sms_api_base_url="",
        chat_delivery_url="",
        voice_delivery_url="",
    ) as product:
        created = await asyncio.to_thread(
            product.agentops, "keys", "create", "--name", "start", "--scope", "ingest"
        )
        key = created.strip().splitlines()[-1]
        api = await asyncio.to_thread(product.start_api)
        threads = EVENTS // TURNS_PER_THREAD
        batch = [
            event(
                key=f"start-{thread}-{turn}",
                sender=f"+1555{thread:07d}",
                text="Can I book a haircut tomorrow at 3pm?" if turn == 0 else "My name is Sam",
            )
            for turn in range(TURNS_PER_THREAD)
            for thread in range(threads)
        ]
        async with httpx.AsyncClient(
            base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            for start in range(0, EVENTS, 100):
                answer = (
                    await http.post(
                        "/graphql",
                        json={
                            "query": INGEST_EVENTS,
                            "variables": {"input": {"events": batch[start : start + 100]}},
                        },
                    )
                ).json()
                kinds = {result["__typename"] for result in answer["data"]["ingestEvents"]["results"]}
                assert kinds == {"EventAccepted"}, answer
        queue = redis.Redis.from_url(product.redis_url)
        assert queue.llen("saq:agentops:queued") == EVENTS  # all waiting: no worker has started yet

        ports = [free_port(), free_port()]
        workers = [
            product.start_worker(
                f"worker-{index}",
                AGENTOPS_WORKER_METRICS_PORT=str(port),
                AGENTOPS_RECONCILE_EVERY_SECONDS="1",
                AGENTOPS_RECONCILE_STALE_AFTER_SECONDS="2",
            )
            for index, port in enumerate(ports)
        ]

        async def all_processed():
            return (await _final_statuses(product.dsn)).get("PROCESSED") == EVENTS

        await wait_until(all_processed, timeout=240, interval=0.5, message="every event PROCESSED")
        await asyncio.sleep(
            3
        )  # three more reconciler rounds: a late second job would be enqueued and run by now
        assert all(worker.poll() is None for worker in workers)

        event_ids = await _event_ids(product.dsn)
        records = [
            json.loads(raw) if raw else None
            for raw in queue.mget([f"saq:job:agentops:{event_id}" for event_id in event_ids])
        ]
        attempts = [record.get("attempts", 0) if record else 0 for record in records]
        first_attempts = sum(1 for count in attempts if count >= 1)
        second_attempts = sum(count - 1 for count in attempts if count > 1)
        runs = sum(_runs_counted(port) for port in ports)
        report = (
            f"{first_attempts} first attempts, {second_attempts} second attempts, {runs:.0f} process_event "
            "runs "
            f"counted by the workers, statuses {await _final_statuses(product.dsn)}"
        )
        assert (first_attempts, second_attempts, runs) == (EVENTS, 0, EVENTS), report
        assert all(record and record["status"] == "complete" for record in records), report


async def _event_ids(dsn: str) -> list[str]:
    connection = await asyncpg.connect(dsn)
    try:
        return [str(row["id"]) for row in await connection.fetch("SELECT id FROM ingest_events")]
    finally:
        await connection.close()
