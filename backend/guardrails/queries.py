"""guardrailViolations: every hit, filtered and paged."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length
from backend.graphql.time_range import check_range
from backend.guardrails import service
from backend.guardrails.enums import Action, Severity, Stage
from backend.guardrails.models import GuardrailViolation
from backend.guardrails.types import GuardrailViolationNode


@strawberry.input(description="Narrow the violations; fields combine with AND.")
class GuardrailViolationFilter:
    stage: Stage | None = None
    rule: str | None = None
    severity: Severity | None = None
    action: Action | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def criteria(self) -> service.ViolationCriteria:
        check_range(
            self.created_after, self.created_before, start_field="createdAfter", end_field="createdBefore"
        )
        check_text_filter(
            self.rule, field="filter.rule", max_length=column_length(GuardrailViolation, "rule")
        )
        return service.ViolationCriteria(
            stage=self.stage.value if self.stage else None,
            rule=self.rule,
            severity=self.severity.value if self.severity else None,
            action=self.action.value if self.action else None,
            created_after=self.created_after,
            created_before=self.created_before,
        )


@strawberry.type
class GuardrailQueries:
    @strawberry.field(permission_classes=[CanRead], description="Guardrail hits, newest first.")
    async def guardrail_violations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: GuardrailViolationFilter | None = None,
    ) -> relay.Connection[GuardrailViolationNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else service.ViolationCriteria()
        page = await service.page_violations(criteria=criteria, first=size, after=after)
        return to_connection(page, GuardrailViolationNode.from_model)
