"""Violations of many runs or conversations in one query each."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.guardrails.models import GuardrailViolation


async def _grouped(field: str, ids: Sequence[uuid.UUID]) -> list[list[GuardrailViolation]]:
    rows = await GuardrailViolation.filter(**{f"{field}__in": list(ids)}).order_by("created_at")
    grouped: dict[uuid.UUID, list[GuardrailViolation]] = {key: [] for key in ids}
    for row in rows:
        grouped[getattr(row, field)].append(row)
    return [grouped[key] for key in ids]


async def load_violations_by_run(run_ids: Sequence[uuid.UUID]) -> list[list[GuardrailViolation]]:
    """Each run's violations, oldest first."""
    return await _grouped("run_id", run_ids)


async def load_violations_by_conversation(
    conversation_ids: Sequence[uuid.UUID],
) -> list[list[GuardrailViolation]]:
    """Each conversation's violations, oldest first."""
    return await _grouped("conversation_id", conversation_ids)
