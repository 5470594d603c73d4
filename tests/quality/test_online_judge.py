"""The LLM judge online: a worker configured with it grades sampled live turns through
`agentops loopback-model`, records model, rubric version and tokens with each grade, and skips (and counts)
what its token budget cannot pay.

Real processes on a product of their own (tests/isolated.py): the suite's workers score with the rules only.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg
import httpx

from tests.helpers import free_port, wait_for_http, wait_until
from tests.ingest.documents import INGEST_EVENTS, event
from tests.isolated import isolated_product

TURNS = 4
# One grade costs about 600 tokens reserved (its request and the longest answer), ~450 used: one fits a
# minute.
BUDGET = 700


async def _judged(dsn: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(
            "SELECT score, label, model, version, kind, prompt_tokens, completion_tokens"
            " FROM eval_scores WHERE evaluator = 'helpfulness' ORDER BY created_at"
        )
    finally:
        await connection.close()


async def test_a_worker_grades_live_turns_with_the_judge_within_its_token_budget(test_settings, tmp_path):
    port = free_port()
    settings = {
        "quality_evaluators": "backed_claims,helpfulness",
        "quality_judge_base_url": f"http://127.0.0.1:{port}/v1",
        "quality_judge_model": "loopback-judge",
        "quality_judge_tokens_per_minute": str(BUDGET),
        "sms_api_base_url": "",
        "chat_delivery_url": "",
        "voice_delivery_url": "",
    }
    async with isolated_product(test_settings, name="judge", logs=tmp_path, **settings) as product:
        with (tmp_path / "loopback.log").open("wb") as log:
            product.processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "backend.cli.main", "loopback-model", "--port", str(port)],
                    env=product.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        await asyncio.to_thread(
            wait_for_http, f"http://127.0.0.1:{port}/v1/models", process=product.processes[-1]
        )
        created = await asyncio.to_thread(
            product.agentops, "keys", "create", "--name", "judge", "--scope", "ingest"
        )
        key = created.strip().splitlines()[-1]
        api = await asyncio.to_thread(product.start_api)
        worker = product.start_worker("worker")
        await asyncio.to_thread(product.wait_for_workers, [worker])

        texts = ["hello", "Please cancel my appointment", "what are your opening hours?", "thanks!"]
        batch = [
            event(key=f"judge-{number}", sender=f"+155577400{number:02d}", text=texts[number % len(texts)])
            for number in range(TURNS)
        ]
        async with httpx.AsyncClient(
            base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=30
        ) as http:
            answer = (
                await http.post(
                    "/graphql", json={"query": INGEST_EVENTS, "variables": {"input": {"events": batch}}}
                )
            ).json()
        assert {result["__typename"] for result in answer["data"]["ingestEvents"]["results"]} == {
            "EventAccepted"
        }

        async def every_turn_judged():
            rows = await _judged(product.dsn)
            return rows if len(rows) == TURNS else None

        rows = await wait_until(every_turn_judged, timeout=60, message="a helpfulness verdict on every turn")
        graded = [row for row in rows if row["score"] is not None]
        skipped = [row for row in rows if row["score"] is None]
        assert graded and skipped, rows  # the budget pays for one grade a minute: the others are skipped
        for row in graded:
            assert (row["kind"], row["version"], row["model"]) == ("judge", "v1", "loopback-judge")
            assert row["prompt_tokens"] > 0 and row["completion_tokens"] > 0
            assert row["label"] in ("pass", "fail")
        assert {row["label"] for row in skipped} == {"budget_exhausted"}
        assert {row["model"] for row in skipped} == {None} and {row["prompt_tokens"] for row in skipped} == {
            None
        }
        # The turns themselves were scored by the rule all the same.
        connection = await asyncpg.connect(product.dsn)
        try:
            assert (
                await connection.fetchval(
                    "SELECT count(*) FROM eval_scores WHERE evaluator = 'backed_claims'"
                )
                == TURNS
            )
        finally:
            await connection.close()
