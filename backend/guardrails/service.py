"""Recording guardrail hits and listing them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.db.keyset import Page, newest_first
from backend.guardrails.engine import Finding
from backend.guardrails.models import GuardrailViolation


async def record_findings(
    *,
    connection: BaseDBAsyncClient,
    findings: Iterable[Finding],
    run_id: uuid.UUID | None,
    conversation_id: uuid.UUID | None,
    config_version: str,
) -> int:
    """One violation row per finding, in the caller's transaction; the excerpt is already redacted."""
    rows = [
        GuardrailViolation(
            stage=finding.stage.value,
            rule=finding.rule,
            severity=finding.severity.value,
            action=finding.action.value,
            run_id=run_id,
            conversation_id=conversation_id,
            message=finding.message,
            excerpt=finding.excerpt[:240],
            config_version=config_version,
        )
        for finding in findings
    ]
    if rows:
        await GuardrailViolation.bulk_create(rows, using_db=connection)
    return len(rows)


@dataclass(frozen=True)
class ViolationCriteria:
    stage: str | None = None
    rule: str | None = None
    severity: str | None = None
    action: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


async def page_violations(
    *, criteria: ViolationCriteria, first: int, after: str | None
) -> Page[GuardrailViolation]:
    """Violations matching the criteria, newest first."""
    query = GuardrailViolation.all()
    for field in ("stage", "rule", "severity", "action"):
        value = getattr(criteria, field)
        if value:
            query = query.filter(**{field: value})
    if criteria.created_after:
        query = query.filter(created_at__gte=criteria.created_after)
    if criteria.created_before:
        query = query.filter(created_at__lt=criteria.created_before)
    return await newest_first(query, time_field="created_at", first=first, after=after)
