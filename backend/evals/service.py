"""Eval runs: start one (cases fanned out to workers in chunks), record results, publish progress, compare."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from saq import Queue

from backend.agent.setup import AgentSetup
from backend.core.topics import EVAL_PROGRESS
from backend.db.keyset import Page, newest_first
from backend.evals.golden import GoldenCase
from backend.evals.models import EvalCase, EvalCaseResult, EvalRun, EvalRunStatus, EvalSuite, ModelSource
from backend.evals.playing import case_concurrency, play_cases
from backend.evals.results import RunProgress, record_results
from backend.evals.runner import CaseOutcome, prepare_eval_business
from backend.evals.stats import mcnemar_exact_p
from backend.events.hub import EventHub
from backend.jobqueue import JobOptions, enqueue_keyed
from backend.settings import Settings

log = structlog.get_logger(__name__)
RUN_EVAL_CHUNK_JOB = "run_eval_chunk"
CHUNK_SIZE = 10
SIGNIFICANCE = 0.05


async def start_eval_run(
    *,
    suite: EvalSuite,
    policy: str,
    prompt_version: str,
    queue: Queue,
    model_source: ModelSource | None = None,
    timeout_seconds: int = 300,
) -> EvalRun:
    """Create the run and enqueue its cases in chunks; workers do the rest."""
    case_ids = await EvalCase.filter(suite=suite).order_by("name").values_list("id", flat=True)
    run = await EvalRun.create(
        suite=suite,
        policy=policy,
        prompt_version=prompt_version,
        model_source=model_source,
        total=len(case_ids),
    )
    await prepare_eval_business()
    chunks = {
        f"eval:{run.id}:{start}": {
            "eval_run_id": str(run.id),
            "case_ids": [str(case_id) for case_id in case_ids[start : start + CHUNK_SIZE]],
        }
        for start in range(0, len(case_ids), CHUNK_SIZE)
    }
    options = JobOptions(
        function=RUN_EVAL_CHUNK_JOB, retries=2, timeout=timeout_seconds, retry_delay=0.0, retry_backoff=0.0
    )
    enqueued = await enqueue_keyed(
        queue=queue, options=options, jobs=chunks, failure_event="evals.enqueue_failed"
    )
    if enqueued < len(chunks):
        # Nothing reconciles a run's chunks: a run that could not be queued whole is failed, and says why.
        run.status, run.error = (
            EvalRunStatus.FAILED,
            "could not enqueue its cases: the queue (Redis) is unavailable",
        )
        await EvalRun.filter(id=run.id).update(status=run.status, error=run.error)
    return run


async def run_chunk(
    *, eval_run_id: uuid.UUID, case_ids: list[uuid.UUID], setup: AgentSetup, hub: EventHub, settings: Settings
) -> int:
    """Run some cases of a run at once (skipping any already recorded: a retried chunk does not count twice).

    The results are written together when the chunk's cases are done, then progress is published. A case that
    could not be played fails the chunk after the others' results are written, so a retry plays only what is
    left.
    """
    run = await EvalRun.get(id=eval_run_id).prefetch_related("suite")
    if run.status == EvalRunStatus.QUEUED:
        await EvalRun.filter(id=run.id, status=EvalRunStatus.QUEUED).update(
            status=EvalRunStatus.RUNNING, started_at=datetime.now(UTC)
        )
    done = set(
        await EvalCaseResult.filter(run_id=eval_run_id, case_id__in=case_ids).values_list(
            "case_id", flat=True
        )
    )
    cases = await EvalCase.filter(id__in=[case_id for case_id in case_ids if case_id not in done])
    outcomes = await play_cases(
        cases=[GoldenCase.model_validate(case.definition) for case in cases],
        suite=run.suite.name,
        setup=setup,
        source=run.model_source,
        settings=settings,
    )
    played = [
        (case, outcome)
        for case, outcome in zip(cases, outcomes, strict=False)
        if isinstance(outcome, CaseOutcome)
    ]
    progress = await record_results(eval_run_id=eval_run_id, results=played)
    await hub.publish(EVAL_PROGRESS, progress.event())
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return len(played)


async def fail_run(*, eval_run_id: uuid.UUID, error: BaseException, hub: EventHub) -> None:
    """Mark a run FAILED (a chunk kept failing) so it does not look like it is still running."""
    await EvalRun.filter(id=eval_run_id).update(
        status=EvalRunStatus.FAILED,
        error=f"{type(error).__name__}: {error}"[:2000],
        finished_at=datetime.now(UTC),
    )
    run = await EvalRun.get(id=eval_run_id)
    await hub.publish(
        EVAL_PROGRESS,
        RunProgress(
            eval_run_id=eval_run_id, passed=run.passed, failed=run.failed, total=run.total, status=run.status
        ).event(),
    )


@dataclass(frozen=True)
class Comparison:
    regressions: list[str]  # passed in base, failed in head
    fixes: list[str]
    unchanged_passing: int
    unchanged_failing: int
    base_pass_rate: float
    head_pass_rate: float
    p_value: float

    @property
    def significant_drop(self) -> bool:
        return self.head_pass_rate < self.base_pass_rate and self.p_value < SIGNIFICANCE


async def compare_runs(*, base_id: uuid.UUID, head_id: uuid.UUID) -> Comparison:
    """Pair the two runs' results by case name and count what changed."""
    base = dict(await EvalCaseResult.filter(run_id=base_id).values_list("case_name", "passed"))
    head = dict(await EvalCaseResult.filter(run_id=head_id).values_list("case_name", "passed"))
    shared = sorted(base.keys() & head.keys())
    regressions = [name for name in shared if base[name] and not head[name]]
    fixes = [name for name in shared if not base[name] and head[name]]
    rate = lambda results: sum(results.values()) / len(results) if results else 0.0  # noqa: E731
    return Comparison(
        regressions=regressions,
        fixes=fixes,
        unchanged_passing=sum(1 for name in shared if base[name] and head[name]),
        unchanged_failing=sum(1 for name in shared if not base[name] and not head[name]),
        base_pass_rate=rate(base),
        head_pass_rate=rate(head),
        p_value=mcnemar_exact_p(regressions=len(regressions), fixes=len(fixes)),
    )


async def run_suite_here(
    *,
    suite: EvalSuite,
    setup: AgentSetup,
    hub: EventHub,
    settings: Settings,
    model_source: ModelSource | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> EvalRun:
    """Run every case of a suite in this process (the CLI gate, the demo seed) and return the finished run.

    Chunks are recorded as the workers record them; a few are in flight at once so the cases stay concurrent
    across a chunk's end (the cases themselves are bounded by playing.case_concurrency).
    """
    await prepare_eval_business()
    case_ids = await EvalCase.filter(suite=suite).order_by("name").values_list("id", flat=True)
    record = await EvalRun.create(
        suite=suite,
        policy=setup.policy.name,
        prompt_version=setup.prompt.version,
        model_source=model_source,
        total=len(case_ids),
    )
    in_flight = asyncio.Semaphore(case_concurrency(settings) // CHUNK_SIZE + 2)

    async def chunk(ids: list[uuid.UUID]) -> None:
        async with in_flight:
            await run_chunk(eval_run_id=record.id, case_ids=ids, setup=setup, hub=hub, settings=settings)
        if on_chunk:
            on_chunk(len(ids))

    tasks = [
        asyncio.create_task(chunk(list(case_ids[start : start + CHUNK_SIZE])))
        for start in range(0, len(case_ids), CHUNK_SIZE)
    ]
    try:
        await asyncio.gather(*tasks)
    finally:  # a chunk that failed stops the others rather than leaving them running unawaited
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return await EvalRun.get(id=record.id).prefetch_related("suite")


# Reading, for the API.


async def page_suites(*, name: str | None, first: int, after: str | None) -> Page[EvalSuite]:
    """Suite versions, newest first."""
    query = EvalSuite.filter(name=name) if name else EvalSuite.all()
    return await newest_first(query, time_field="created_at", first=first, after=after)


async def page_runs(*, suite_name: str | None, first: int, after: str | None) -> Page[EvalRun]:
    """Eval runs, newest first, with their suite."""
    query = EvalRun.filter(suite__name=suite_name) if suite_name else EvalRun.all()
    page = await newest_first(
        query.prefetch_related("suite"), time_field="created_at", first=first, after=after
    )
    return page


async def get_run(*, run_id: uuid.UUID) -> EvalRun | None:
    return await EvalRun.get_or_none(id=run_id).prefetch_related("suite")


async def run_results(*, run_id: uuid.UUID, failed_only: bool) -> list[EvalCaseResult]:
    query = EvalCaseResult.filter(run_id=run_id)
    if failed_only:
        query = query.filter(passed=False)
    return await query.order_by("passed", "case_name")
