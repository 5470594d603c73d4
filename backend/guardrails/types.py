"""GraphQL type of a guardrail violation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.scopes import Scope
from backend.db.lookup import rows_by_id
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import presents
from backend.graphql.permissions import require_scope
from backend.guardrails.enums import Action, Severity, Stage
from backend.guardrails.models import GuardrailViolation

strawberry.enum(
    Stage, name="GuardrailStage", description="INPUT: customer text; OUTPUT: agent reply; TOOL: a tool call."
)
strawberry.enum(Action, name="GuardrailAction")
strawberry.enum(Severity, name="GuardrailSeverity")


@presents(GuardrailViolation)
@strawberry.type(name="GuardrailViolation", description="A guardrail hit; the excerpt has PII redacted.")
class GuardrailViolationNode(relay.Node):
    id: relay.NodeID[str]
    stage: Stage
    rule: str
    severity: Severity
    action: Action
    message: str
    excerpt: str
    config_version: str
    created_at: datetime
    run_id: strawberry.Private[object | None]
    conversation_id: strawberry.Private[object | None]

    @classmethod
    def from_model(cls, row: GuardrailViolation) -> GuardrailViolationNode:
        return cls(
            id=str(row.id),
            stage=Stage(row.stage),
            rule=row.rule,
            severity=Severity(row.severity),
            action=Action(row.action),
            message=row.message,
            excerpt=row.excerpt,
            config_version=row.config_version,
            created_at=row.created_at,
            run_id=row.run_id,
            conversation_id=row.conversation_id,  # type: ignore[attr-defined]
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        ids = [parse_uuid(node_id) for node_id in node_ids]
        rows = await rows_by_id(GuardrailViolation.all(), ids)
        return [cls.from_model(row) if row else None for row in rows]
