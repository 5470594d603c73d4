"""Which agent each eval case runs with: the run's own, or the openai policy on that case's cassette.

Recording and replaying need a cassette per case, so the openai policy (and its HTTP client) is built per case
with the case's transport. A cassette miss fails the turn it happened on like any endpoint failure; here it
becomes the case's one reported failure, since every check after it judges the fallback reply, not a model.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from backend.agent.cassettes import Cassette, CassetteMiss
from backend.agent.policies.openai import OpenAIPolicy
from backend.agent.setup import AgentSetup
from backend.evals.golden import GoldenCase
from backend.evals.models import ModelSource
from backend.evals.runner import CaseOutcome
from backend.settings import Settings

CASSETTE_EXPECTATION = "cassette"


class ModelSourceNotApplicable(ValueError):
    """A model source was asked for a policy that calls no model."""


def model_source_for(*, policy: str, requested: ModelSource | None) -> ModelSource | None:
    """The model source a run of this policy uses: none for rules, replay unless asked otherwise for
    openai."""
    if policy != OpenAIPolicy.name:
        if requested is not None:
            raise ModelSourceNotApplicable(
                f"a model source applies only to the openai policy, not {policy!r}"
            )
        return None
    return requested or ModelSource.REPLAY


def cassette_path(*, directory: Path, suite: str, case: str) -> Path:
    """Where a case's cassette lives: <directory>/<suite>/<case>.json."""
    return directory / suite / f"{case}.json"


@dataclass(frozen=True)
class CaseAgent:
    setup: AgentSetup
    cassette: Cassette | None = None

    def judged(self, outcome: CaseOutcome) -> CaseOutcome:
        """The outcome, with a cassette miss (if any) as the case's failure in place of the checks that
        followed it."""
        if self.cassette is None or not self.cassette.misses:
            return outcome
        outcome.failures = [
            cassette_failure(
                self.cassette.misses[0], turn=_failed_turn(outcome), further=len(self.cassette.misses) - 1
            )
        ]
        outcome.passed = False
        return outcome


@asynccontextmanager
async def case_agent(
    *, case: GoldenCase, suite: str, setup: AgentSetup, source: ModelSource | None, settings: Settings
) -> AsyncIterator[CaseAgent]:
    """The agent for one case; a recording is written when the case is done."""
    if source not in (ModelSource.RECORD, ModelSource.REPLAY):
        yield CaseAgent(setup=setup)
        return
    path = cassette_path(directory=settings.eval_cassettes_dir, suite=suite, case=case.name)
    label = f"{suite}/{case.name}"
    cassette = (
        Cassette.recording(path=path, case=label, inner=httpx.AsyncHTTPTransport())
        if source == ModelSource.RECORD
        else Cassette.replaying(path=path, case=label)
    )
    policy = OpenAIPolicy.from_settings(settings, transport=cassette)
    try:
        yield CaseAgent(setup=replace(setup, policy=policy), cassette=cassette)
    finally:
        await policy.aclose()
        await cassette.aclose()
    if cassette.recording_mode:
        cassette.save()


def cassette_failure(miss: CassetteMiss, *, turn: int | None, further: int = 0) -> dict[str, Any]:
    """A miss as a case failure: recorded against current values of what differs, the key, and why in
    words."""
    return {
        "turn": turn,
        "expectation": CASSETTE_EXPECTATION,
        "key": miss.key,
        "call": miss.call,
        "cassette": miss.case,
        "message": miss.explanation,
        "further_misses": further,
        "expected": {name: change["recorded"] for name, change in miss.differences.items()}
        or miss.explanation,
        "actual": {name: change["now"] for name, change in miss.differences.items()} or None,
    }


def _failed_turn(outcome: CaseOutcome) -> int | None:
    # The miss failed its turn's run (the fallback reply went out); earlier turns ran as recorded.
    return next((line.get("turn") for line in outcome.transcript if line.get("status") == "FAILED"), None)
