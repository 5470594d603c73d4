"""Which live turns are scored: a share per channel, drawn from the run's id, and always the flagged ones.

The draw is the run id's random bits, so deciding again (a retried job) decides the same. A turn that failed or
that a guardrail acted on is scored whatever the rate (AGENTOPS_QUALITY_SCORE_FLAGGED): that is where quality
problems are likeliest, and a low rate would miss most of them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from saq import Queue

from backend.agent.models import RunStatus
from backend.channels.enums import Channel
from backend.jobqueue import JobOptions, enqueue_keyed
from backend.quality.definitions import Evaluator, online_evaluators
from backend.quality.models import ScoreTrigger
from backend.settings import Settings

SCORE_RUN_JOB = "score_run"
# A uuid4's last 48 bits are random (the 16 above them carry the variant): the draw is those, as a share.
_RANDOM_BITS = 48


def score_trigger(*, run_id: uuid.UUID, channel: Channel, status: RunStatus, guardrail_hits: int,
                  settings: Settings) -> ScoreTrigger | None:
    """Why this turn is to be scored, or None when it is not."""
    if settings.quality_score_flagged:
        if status == RunStatus.FAILED:
            return ScoreTrigger.FAILURE
        if guardrail_hits:
            return ScoreTrigger.GUARDRAIL
    rate = settings.quality_sample_rates.get(channel, settings.quality_sample_rate)
    if rate >= 1 or (rate > 0 and (run_id.int & ((1 << _RANDOM_BITS) - 1)) / (1 << _RANDOM_BITS) < rate):
        return ScoreTrigger.SAMPLE
    return None


def score_options(settings: Settings, evaluators: Iterable[Evaluator]) -> JobOptions:
    """score_run's retries and timeout: each judge call may take its whole timeout."""
    judges = sum(1 for evaluator in evaluators if evaluator.kind == "judge")
    return JobOptions(function=SCORE_RUN_JOB, retries=3, timeout=15 + judges * settings.quality_judge_timeout_seconds,
                      retry_delay=1.0, retry_backoff=10.0)


async def enqueue_scoring(*, queue: Queue, settings: Settings, turns: Iterable) -> int:
    """One score_run job per sampled turn (TurnOutcome), keyed by its run, in one enqueue; returns how many.

    Called after the turn committed and its delivery was enqueued: scoring never delays a reply. A Redis failure
    loses only these scores (logged), never the turn.
    """
    evaluators = online_evaluators(settings.quality_evaluators)
    if not evaluators:
        return 0
    jobs = {}
    for turn in turns:
        trigger = score_trigger(run_id=turn.run_id, channel=turn.channel, status=turn.status,
                                guardrail_hits=turn.guardrail_hits, settings=settings)
        if trigger is not None:
            jobs[f"score:{turn.run_id}"] = {"run_id": str(turn.run_id), "trigger": trigger.value}
    if not jobs:
        return 0
    return await enqueue_keyed(queue=queue, options=score_options(settings, evaluators), jobs=jobs,
                               failure_event="quality.enqueue_failed")
