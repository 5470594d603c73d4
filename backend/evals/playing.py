"""Playing an eval run's cases at once, each in its own rolled-back transaction on its own pool connection.

Every case sees only what is committed (the business and its slots) and its own writes, so cases played side
by side answer as they would one after another. Two that want the same slot wait for each other on its unique
index; two that wait in a circle are ended by the database's deadlock check, and the case it picks is played
again from the start (its transaction, cassette and all), so it is counted once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from weakref import WeakKeyDictionary

import asyncpg
import structlog

from backend.agent.setup import AgentSetup
from backend.evals.golden import GoldenCase
from backend.evals.model_source import case_agent
from backend.evals.models import ModelSource
from backend.evals.runner import CaseOutcome, run_case
from backend.settings import Settings

log = structlog.get_logger(__name__)
# A case picked by the deadlock check is played again this many times before its chunk fails (and is retried).
DEADLOCK_RETRIES = 3

# One limit per event loop, shared by every run and chunk of the process: a worker running several eval chunks
# at once still holds at most this many connections for them, and leaves the rest of its pool to live turns.
_limits: WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[int, asyncio.Semaphore]] = WeakKeyDictionary()


def case_concurrency(settings: Settings) -> int:
    """How many cases this process plays at once: the setting, leaving one pool connection for the results."""
    return max(1, min(settings.eval_concurrency, settings.database_pool_size - 1))


def _limit(settings: Settings) -> asyncio.Semaphore:
    loop, size = asyncio.get_running_loop(), case_concurrency(settings)
    if loop not in _limits or _limits[loop][0] != size:  # other settings (a test's): a limit of their own
        _limits[loop] = (size, asyncio.Semaphore(size))
    return _limits[loop][1]


async def play_cases(
    *,
    cases: Sequence[GoldenCase],
    suite: str,
    setup: AgentSetup,
    source: ModelSource | None,
    settings: Settings,
) -> list[CaseOutcome | BaseException]:
    """Each case's outcome, in the order given; a case that could not be played has its error in its place."""
    return await asyncio.gather(
        *(play_case(case=case, suite=suite, setup=setup, source=source, settings=settings) for case in cases),
        return_exceptions=True,
    )


async def play_case(
    *, case: GoldenCase, suite: str, setup: AgentSetup, source: ModelSource | None, settings: Settings
) -> CaseOutcome:
    """One case with the run's agent (or its cassette's), played again when the database ends it in a
    deadlock."""
    async with _limit(settings):
        attempt = 0
        while True:
            try:
                async with case_agent(
                    case=case, suite=suite, setup=setup, source=source, settings=settings
                ) as agent:
                    return agent.judged(await run_case(case, setup=agent.setup))
            except asyncpg.TransactionRollbackError as error:
                attempt += 1
                if attempt > DEADLOCK_RETRIES:
                    raise
                log.info(
                    "evals.case_played_again", case=case.name, attempt=attempt, reason=type(error).__name__
                )
