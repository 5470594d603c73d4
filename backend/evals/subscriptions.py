"""evalRunProgress: cases done as the workers record them."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.evals.models import EvalRunStatus
from backend.evals.service import EVAL_PROGRESS
from backend.evals.types import EvalProgress
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead


@strawberry.type
class EvalSubscriptions:
    @strawberry.subscription(permission_classes=[CanRead], description="Progress of one eval run until it completes.")
    async def eval_run_progress(self, info: Info, id: relay.GlobalID) -> AsyncGenerator[EvalProgress, None]:
        if id.type_name != "EvalRun":
            raise BadUserInput("'id' is not an EvalRun id.", field="id")
        wanted = str(parse_uuid(id.node_id, field="id"))
        async for event in info.context.services.hub.subscribe(EVAL_PROGRESS):
            if event["evalRunId"] != wanted:
                continue
            status = EvalRunStatus(event["status"])
            yield EvalProgress(eval_run_id=strawberry.ID(str(id)), done=event["done"], total=event["total"],
                               passed=event["passed"], status=status)
            if status in (EvalRunStatus.COMPLETED, EvalRunStatus.FAILED):
                return
