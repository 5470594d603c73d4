"""Eval cases played at once: the same results as one after another, a deadlocked case played again and
counted once, and every result of a run written (a statement per chunk) and followed by progress."""

import asyncio
import json
import logging
import re
import textwrap
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from tortoise import connections

from backend.agent.setup import build_agent
from backend.core.topics import EVAL_PROGRESS
from backend.evals import playing, service
from backend.evals.given import GivenError
from backend.evals.golden import EVAL_TIMEZONE
from backend.evals.models import EvalCaseResult, EvalRun, EvalRunStatus
from backend.evals.playing import DEADLOCK_RETRIES
from backend.evals.runner import prepare_eval_business
from backend.evals.sync import GOLDENS_DIR, latest_suite, sync_suites
from backend.events.hub import SilentHub
from tests.helpers import StatementCounter, wait_until

ZONE = ZoneInfo(EVAL_TIMEZONE)
# Ids and ticket references are new on every run; everything else a case records must be the same.
VOLATILE = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|\b[0-9A-F]{8}\b")

DEADLOCKED = """
    name: booked-while-another-holds-the-slot
    description: >-
      The only beard trim slot at 3pm tomorrow is held by another transaction while this case books it.
    customer: "+15550107400"
    given:
      bookings:
        - {service: massage, date: "2030-01-08", time: "10:00", name: "Bo Lind"}
    turns:
      - customer: "Hi, I'd like to book a beard trim tomorrow at 15:00, name is Tom Becker"
        expect:
          tools: [{name: book_appointment, args: {customer_name: "Tom Becker"}}]
    final:
      booking: {service: beard trim, date: "2030-01-08", time: "15:00", name: "Tom Becker"}
      given: [confirmed]
"""
SUNDAY = """
    name: given-on-a-sunday
    description: A given booking the closed Sunday cannot hold; the case cannot be played.
    given:
      bookings:
        - {service: haircut, date: "2030-01-13", time: "10:00", name: "Ana Costa"}
    turns:
      - customer: "hello"
"""
HELLO = """
    name: {name}
    description: A greeting is answered.
    turns:
      - customer: "hello"
        expect:
          not_tools: [book_appointment]
"""


class InFlight:
    """Counts the cases being played at a moment (instrumentation around the real runner, not a mock)."""

    def __init__(self, monkeypatch) -> None:
        self.now = self.most = 0
        original = playing.run_case

        async def counted(*args, **kwargs):
            self.now += 1
            self.most = max(self.most, self.now)
            try:
                return await original(*args, **kwargs)
            finally:
                self.now -= 1

        monkeypatch.setattr(playing, "run_case", counted)


async def _suite(root, name: str, cases: dict[str, str]):
    folder = root / name
    folder.mkdir(parents=True)
    for case_name, text in cases.items():
        (folder / f"{case_name}.yaml").write_text(textwrap.dedent(text))
    await sync_suites(directory=root)
    return await latest_suite(name)


def _recorded(results: list[EvalCaseResult]) -> dict[str, str]:
    return {
        result.case_name: VOLATILE.sub(
            "<id>",
            json.dumps(
                [result.passed, result.failures, result.transcript, result.tool_calls, result.violations],
                sort_keys=True,
            ),
        )
        for result in results
    }


async def test_cases_played_at_once_record_what_they_record_one_after_another(
    app, test_settings, monkeypatch
):
    await sync_suites()
    in_flight = InFlight(monkeypatch)
    setup = build_agent(test_settings)
    one_by_one = test_settings.model_copy(update={"eval_concurrency": 1})
    at_once = test_settings.model_copy(update={"eval_concurrency": 4})
    assert playing.case_concurrency(at_once) == 4  # the test pool (5) leaves room for 4
    played = 0
    for folder in sorted(path for path in GOLDENS_DIR.iterdir() if path.is_dir()):
        suite = await latest_suite(folder.name)
        in_flight.most = 0
        alone = await service.run_suite_here(suite=suite, setup=setup, hub=SilentHub(), settings=one_by_one)
        assert in_flight.most == 1
        in_flight.most = 0
        together = await service.run_suite_here(suite=suite, setup=setup, hub=SilentHub(), settings=at_once)
        assert in_flight.most == min(4, suite.case_count)
        expected = _recorded(await EvalCaseResult.filter(run=alone))
        assert len(expected) == suite.case_count
        assert _recorded(await EvalCaseResult.filter(run=together)) == expected, folder.name
        assert (together.passed, together.failed) == (alone.passed, alone.failed)
        played += suite.case_count
    assert played >= 200


async def _slot(service_name: str, starts_at: datetime) -> uuid.UUID:
    rows = await connections.get("default").execute_query_dict(
        "SELECT s.id FROM slots s JOIN services sv ON sv.id = s.service_id WHERE sv.name = $1 AND "
        "s.starts_at = $2",
        [service_name, starts_at],
    )
    (row,) = rows
    return row["id"]


async def _hold(holder: asyncpg.Connection, slot_id: uuid.UUID, key: str) -> None:
    await holder.execute(
        "INSERT INTO bookings (id, slot_id, customer_name, status, idempotency_key, created_at)"
        " VALUES ($1, $2, 'Holder', 'CONFIRMED', $3, now())",
        uuid.uuid4(),
        slot_id,
        key,
    )


async def test_a_case_ended_by_a_deadlock_is_played_again_and_counted_once(
    app, test_settings, tmp_path, caplog
):
    caplog.set_level(logging.INFO)
    await prepare_eval_business()
    suite = await _suite(tmp_path, "deadlock", {"booked-while-another-holds-the-slot": DEADLOCKED})
    massage = await _slot("massage", datetime(2030, 1, 8, 10, tzinfo=ZONE))  # the case's given booking
    beard_trim = await _slot("beard trim", datetime(2030, 1, 8, 15, tzinfo=ZONE))  # what the case books
    # Another client of the database (a second eval run, say) holds the beard trim slot in an open
    # transaction.
    holder = await asyncpg.connect(str(test_settings.database_url))
    try:
        await holder.execute(
            "SET deadlock_timeout = '60s'"
        )  # the case waits first: its check ends the circle
        transaction = holder.transaction()
        await transaction.start()
        await _hold(holder, beard_trim, "holder:beard-trim")
        run = asyncio.create_task(
            service.run_suite_here(
                suite=suite, setup=build_agent(test_settings), hub=SilentHub(), settings=test_settings
            )
        )

        async def case_waits() -> bool:
            rows = await connections.get("default").execute_query_dict(
                "SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> $1",
                [holder.get_server_pid()],
            )
            return rows[0]["waiting"] > 0

        await wait_until(case_waits, timeout=30, interval=0.02, message="the case waiting for the held slot")
        # Now the holder wants the case's given slot: each waits for the other, and the database ends the
        # case.
        await asyncio.wait_for(_hold(holder, massage, "holder:massage"), timeout=30)
        await transaction.rollback()
        finished = await asyncio.wait_for(run, timeout=60)
    finally:
        await holder.close()

    played_again = [
        record.msg
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "evals.case_played_again"
    ]
    # Played again at least once; a replay that starts before the holder has taken the massage slot can meet
    # the same circle once more (timing), within the retries allowed. Either way it is counted once, below.
    assert 1 <= len(played_again) <= DEADLOCK_RETRIES, played_again
    assert {(line["case"], line["reason"]) for line in played_again} == {
        ("booked-while-another-holds-the-slot", "DeadlockDetectedError")
    }
    results = await EvalCaseResult.filter(run=finished)
    assert [(result.case_name, result.passed) for result in results] == [
        ("booked-while-another-holds-the-slot", True)
    ]
    assert (finished.total, finished.passed, finished.failed, finished.status) == (
        1,
        1,
        0,
        EvalRunStatus.COMPLETED,
    )


async def test_every_result_of_a_run_arrives_in_one_write_per_chunk_with_progress(
    app, test_settings, monkeypatch
):
    await sync_suites()
    suite = await latest_suite("safety")
    chunks = -(-suite.case_count // service.CHUNK_SIZE)
    assert chunks >= 3 and suite.case_count % service.CHUNK_SIZE  # a short last chunk too
    statements = StatementCounter(monkeypatch)
    hub = app.state.services.hub
    async with hub.listening(EVAL_PROGRESS) as events:
        run = await service.run_suite_here(
            suite=suite, setup=build_agent(test_settings), hub=hub, settings=test_settings
        )
        progress = [await asyncio.wait_for(anext(events), timeout=10) for _ in range(chunks)]

    results = await EvalCaseResult.filter(run=run)
    assert sorted(result.case_name for result in results) == sorted(
        path.stem for path in (GOLDENS_DIR / "safety").glob("*.yaml")
    )
    assert run.status == EvalRunStatus.COMPLETED and run.passed + run.failed == run.total == len(results)
    writes = [sql for sql in statements.statements if "eval_case_results" in sql and "INSERT" in sql]
    assert len(writes) == chunks
    # One event per chunk, as its results are written: each moves `done` on by that chunk's cases (chunks in
    # flight together may finish in either order), up to the whole run.
    done = sorted(event["done"] for event in progress)
    sizes = [
        min(service.CHUNK_SIZE, suite.case_count - start)
        for start in range(0, suite.case_count, service.CHUNK_SIZE)
    ]
    assert sorted(after - before for before, after in zip([0, *done], done, strict=False)) == sorted(sizes)
    last = max(progress, key=lambda event: event["done"])
    assert last == {
        "evalRunId": str(run.id),
        "done": run.total,
        "total": run.total,
        "passed": run.passed,
        "status": "COMPLETED",
    }


async def test_a_case_that_cannot_be_played_fails_its_chunk_after_the_others_are_recorded(
    app, test_settings, tmp_path
):
    cases = {
        "given-on-a-sunday": SUNDAY,
        **{name: HELLO.format(name=name) for name in ("hello-one", "hello-two")},
    }
    suite = await _suite(tmp_path, "mixed", cases)
    setup = build_agent(test_settings)

    with pytest.raises(GivenError, match="no free future haircut slot at 2030-01-13 10:00"):
        await service.run_suite_here(suite=suite, setup=setup, hub=SilentHub(), settings=test_settings)

    run = await EvalRun.get(suite=suite)
    recorded = await EvalCaseResult.filter(run=run).order_by("case_name").values_list("case_name", "passed")
    assert recorded == [("hello-one", True), ("hello-two", True)]
    assert (run.passed, run.failed, run.status) == (2, 0, EvalRunStatus.RUNNING)
    # The job's retry plays only the case left, which fails again; nothing recorded is counted twice.
    with pytest.raises(GivenError):
        await service.run_chunk(
            eval_run_id=run.id,
            case_ids=[case.id for case in await suite.cases.all()],
            setup=setup,
            hub=SilentHub(),
            settings=test_settings,
        )
    run = await EvalRun.get(id=run.id)
    assert (run.passed, run.failed, run.status) == (2, 0, EvalRunStatus.RUNNING)
    assert await EvalCaseResult.filter(run=run).count() == 2
