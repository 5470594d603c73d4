"""Eval history for a fresh install: every shipped suite on prompt v1, and booking on the v2 experiment."""

from __future__ import annotations

from backend.agent.setup import build_agent
from backend.evals import service
from backend.evals.models import EvalRun
from backend.evals.sync import latest_suite, sync_suites
from backend.events.hub import SilentHub
from backend.settings import Settings

EXPERIMENT = ("booking", "v2")


async def seed_eval_history(*, settings: Settings) -> int:
    """Sync the goldens and, when no eval has run yet, leave runs to compare; returns how many runs were
    made."""
    synced = await sync_suites()
    if await EvalRun.exists():
        return 0
    runs = 0
    for suite_info in synced:
        suite = await latest_suite(suite_info.name)
        await service.run_suite_here(
            suite=suite,
            setup=build_agent(settings, policy="rules", prompt_version="v1"),
            hub=SilentHub(),
            settings=settings,
        )
        runs += 1
    suite_name, version = EXPERIMENT
    suite = await latest_suite(suite_name)
    if suite is not None:
        await service.run_suite_here(
            suite=suite,
            setup=build_agent(settings, policy="rules", prompt_version=version),
            hub=SilentHub(),
            settings=settings,
        )
        runs += 1
    return runs
