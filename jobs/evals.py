"""Eval jobs: each runs a chunk of one eval run's cases through the agent, isolated and rolled back."""

from __future__ import annotations

import uuid
from typing import Any

from backend.agent.setup import build_agent
from backend.evals import service
from backend.evals.models import EvalRun


async def run_eval_chunk(ctx: dict[str, Any], *, eval_run_id: str, case_ids: list[str]) -> int:
    """Run the cases with the policy and prompt version the run asked for."""
    run = await EvalRun.get(id=uuid.UUID(eval_run_id))
    setup = build_agent(ctx["app_settings"], policy=run.policy, prompt_version=run.prompt_version)
    try:
        return await service.run_chunk(
            eval_run_id=run.id,
            case_ids=[uuid.UUID(case_id) for case_id in case_ids],
            setup=setup,
            hub=ctx["hub"],
            settings=ctx["app_settings"],
        )
    except Exception as error:  # on the last attempt the run is marked FAILED with the reason, then re-raised
        if ctx["job"].attempts >= ctx["job"].retries:
            await service.fail_run(eval_run_id=run.id, error=error, hub=ctx["hub"])
        raise
