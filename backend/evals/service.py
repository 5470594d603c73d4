"""Eval runs: start one (cases fanned out to workers in chunks), record results, publish progress, compare."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import redis.asyncio as aioredis
import structlog
from saq import Queue
from tortoise.expressions import F

from backend.agent.setup import AgentSetup
from backend.evals.golden import GoldenCase
from backend.evals.model_source import case_agent
from backend.evals.models import EvalCase, EvalCaseResult, EvalRun, EvalRunStatus, EvalSuite, ModelSource
from backend.evals.runner import prepare_eval_business, run_case
from backend.evals.stats import mcnemar_exact_p
from backend.events.hub import EventHub
from backend.settings import Settings

log = structlog.get_logger(__name__)
EVAL_PROGRESS = "eval.progress"
RUN_EVAL_CHUNK_JOB = "run_eval_chunk"
CHUNK_SIZE = 10
SIGNIFICANCE = 0.05


async def start_eval_run(
    *, suite: EvalSuite, policy: str, prompt_version: str, queue: Queue, model_source: ModelSource | None = None,
    timeout_seconds: int = 300,
) -> EvalRun:
    """Create the run and enqueue its cases in chunks; workers do the rest."""
    case_ids = await EvalCase.filter(suite=suite).order_by("name").values_list("id", flat=True)
    run = await EvalRun.create(suite=suite, policy=policy, prompt_version=prompt_version, model_source=model_source,
                               total=len(case_ids))
    await prepare_eval_business()
    try:
        for start in range(0, len(case_ids), CHUNK_SIZE):
            chunk = [str(case_id) for case_id in case_ids[start : start + CHUNK_SIZE]]
            await queue.enqueue(RUN_EVAL_CHUNK_JOB, key=f"eval:{run.id}:{start}", eval_run_id=str(run.id),
                                case_ids=chunk, retries=2, timeout=timeout_seconds)
    except (aioredis.RedisError, OSError) as error:
        await EvalRun.filter(id=run.id).update(status=EvalRunStatus.FAILED, error=f"could not enqueue: {error}")
        raise
    return run


async def run_chunk(
    *, eval_run_id: uuid.UUID, case_ids: list[uuid.UUID], setup: AgentSetup, hub: EventHub, settings: Settings
) -> int:
    """Run some cases of a run (skipping any already recorded: a retried chunk does not count twice)."""
    run = await EvalRun.get(id=eval_run_id).prefetch_related("suite")
    if run.status == EvalRunStatus.QUEUED:
        await EvalRun.filter(id=run.id, status=EvalRunStatus.QUEUED).update(
            status=EvalRunStatus.RUNNING, started_at=datetime.now(UTC)
        )
    done = set(await EvalCaseResult.filter(run_id=eval_run_id, case_id__in=case_ids).values_list("case_id", flat=True))
    ran = 0
    for case in await EvalCase.filter(id__in=[case_id for case_id in case_ids if case_id not in done]):
        golden = GoldenCase.model_validate(case.definition)
        async with case_agent(case=golden, suite=run.suite.name, setup=setup, source=run.model_source,
                              settings=settings) as agent:
            outcome = agent.judged(await run_case(golden, setup=agent.setup))
        await EvalCaseResult.create(
            run_id=eval_run_id, case=case, case_name=case.name, passed=outcome.passed, failures=outcome.failures,
            transcript=outcome.transcript, tool_calls=outcome.tool_calls, violations=outcome.violations,
            latency_ms=outcome.latency_ms,
        )
        counter = "passed" if outcome.passed else "failed"
        await EvalRun.filter(id=eval_run_id).update(**{counter: F(counter) + 1})
        ran += 1
    run = await EvalRun.get(id=eval_run_id)
    if run.passed + run.failed >= run.total and run.status != EvalRunStatus.COMPLETED:
        await EvalRun.filter(id=eval_run_id).update(status=EvalRunStatus.COMPLETED, finished_at=datetime.now(UTC))
        run.status = EvalRunStatus.COMPLETED
    await hub.publish(EVAL_PROGRESS, {"evalRunId": str(eval_run_id), "done": run.passed + run.failed,
                                      "total": run.total, "passed": run.passed, "status": run.status.value})
    return ran


async def fail_run(*, eval_run_id: uuid.UUID, error: BaseException, hub: EventHub) -> None:
    """Mark a run FAILED (a chunk kept failing) so it does not look like it is still running."""
    await EvalRun.filter(id=eval_run_id).update(
        status=EvalRunStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], finished_at=datetime.now(UTC)
    )
    run = await EvalRun.get(id=eval_run_id)
    await hub.publish(EVAL_PROGRESS, {"evalRunId": str(eval_run_id), "done": run.passed + run.failed,
                                      "total": run.total, "passed": run.passed, "status": run.status.value})


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
        regressions=regressions, fixes=fixes,
        unchanged_passing=sum(1 for name in shared if base[name] and head[name]),
        unchanged_failing=sum(1 for name in shared if not base[name] and not head[name]),
        base_pass_rate=rate(base), head_pass_rate=rate(head),
        p_value=mcnemar_exact_p(regressions=len(regressions), fixes=len(fixes)),
    )


async def run_suite_here(
    *, suite: EvalSuite, setup: AgentSetup, hub: EventHub, settings: Settings, model_source: ModelSource | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> EvalRun:
    """Run every case of a suite in this process (the CLI gate, the demo seed) and return the finished run."""
    await prepare_eval_business()
    case_ids = await EvalCase.filter(suite=suite).order_by("name").values_list("id", flat=True)
    record = await EvalRun.create(suite=suite, policy=setup.policy.name, prompt_version=setup.prompt.version,
                                  model_source=model_source, total=len(case_ids))
    for start in range(0, len(case_ids), CHUNK_SIZE):
        chunk = list(case_ids[start : start + CHUNK_SIZE])
        await run_chunk(eval_run_id=record.id, case_ids=chunk, setup=setup, hub=hub, settings=settings)
        if on_chunk:
            on_chunk(len(chunk))
    return await EvalRun.get(id=record.id).prefetch_related("suite")
