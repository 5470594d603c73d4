"""runScores (every stored verdict, filtered and paged) and evaluators (the files on disk)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length
from backend.graphql.time_range import check_range
from backend.quality import service
from backend.quality.definitions import catalogue, online_evaluators
from backend.quality.models import EvalScore, ScoreTrigger
from backend.quality.types import EvalScoreNode, EvaluatorView


def _id_of(value: relay.GlobalID | None, *, type_name: str, field: str):
    if value is None:
        return None
    if value.type_name != type_name:
        raise BadUserInput(
            f"'{field}' is not {'an' if type_name[0] in 'AEIOU' else 'a'} {type_name} id.",
            field=f"filter.{field}",
        )
    return parse_uuid(value.node_id, field=f"filter.{field}")


def _share(value: float | None, *, field: str) -> float | None:
    if value is not None and not 0 <= value <= 1:
        raise BadUserInput(f"'{field}' must be between 0 and 1.", field=f"filter.{field}")
    return value


@strawberry.input(description="Narrow the scores; every field is optional and they combine with AND.")
class RunScoreFilter:
    evaluator: str | None = None
    version: str | None = None
    label: str | None = None
    passed: bool | None = None
    skipped: bool | None = strawberry.field(default=None, description="true: only skipped judge calls.")
    min_score: float | None = None
    max_score: float | None = None
    trigger: ScoreTrigger | None = None
    run_id: relay.GlobalID | None = None
    conversation_id: relay.GlobalID | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None

    def criteria(self) -> service.ScoreCriteria:
        check_range(
            self.created_after, self.created_before, start_field="createdAfter", end_field="createdBefore"
        )
        for name, value in (("evaluator", self.evaluator), ("version", self.version), ("label", self.label)):
            check_text_filter(value, field=f"filter.{name}", max_length=column_length(EvalScore, name))
        low, high = _share(self.min_score, field="minScore"), _share(self.max_score, field="maxScore")
        if low is not None and high is not None and low > high:
            raise BadUserInput("'minScore' must not be above 'maxScore'.", field="filter.minScore")
        return service.ScoreCriteria(
            evaluator=self.evaluator,
            version=self.version,
            label=self.label,
            passed=self.passed,
            skipped=self.skipped,
            min_score=low,
            max_score=high,
            trigger=self.trigger,
            run_id=_id_of(self.run_id, type_name="AgentRun", field="runId"),
            conversation_id=_id_of(self.conversation_id, type_name="Conversation", field="conversationId"),
            created_after=self.created_after,
            created_before=self.created_before,
        )


@strawberry.type
class QualityQueries:
    @strawberry.field(
        permission_classes=[CanRead], description="Evaluator scores of agent runs, newest first."
    )
    async def run_scores(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: RunScoreFilter | None = None,
    ) -> relay.Connection[EvalScoreNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else service.ScoreCriteria()
        return to_connection(
            await service.page_scores(criteria=criteria, first=size, after=after), EvalScoreNode.from_model
        )

    @strawberry.field(
        permission_classes=[CanRead], description="The evaluators on disk, newest version of each."
    )
    async def evaluators(self, info: Info) -> list[EvaluatorView]:
        online = {
            evaluator.name
            for evaluator in online_evaluators(info.context.services.settings.quality_evaluators)
        }
        return [
            EvaluatorView.from_evaluator(evaluator, online=evaluator.name in online)
            for evaluator in catalogue()
        ]
