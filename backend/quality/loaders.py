"""Scores of many runs or conversations in one query each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.quality.models import EvalScore


async def _grouped(field: str, ids: Sequence[uuid.UUID]) -> list[list[EvalScore]]:
    rows = await EvalScore.filter(**{f"{field}__in": list(ids)}).order_by("created_at", "evaluator")
    grouped: dict[uuid.UUID, list[EvalScore]] = {key: [] for key in ids}
    for row in rows:
        grouped[getattr(row, field)].append(row)
    return [grouped[key] for key in ids]


async def load_scores_by_run(run_ids: Sequence[uuid.UUID]) -> list[list[EvalScore]]:
    """Each run's scores, oldest first."""
    return await _grouped("run_id", run_ids)


async def load_scores_by_conversation(conversation_ids: Sequence[uuid.UUID]) -> list[list[EvalScore]]:
    """Each conversation's scores, oldest first."""
    return await _grouped("conversation_id", conversation_ids)
