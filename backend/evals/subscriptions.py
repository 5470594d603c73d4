"""evalRunProgress: where a run stands when subscribed, then cases done as the workers record them."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.core.topics import EVAL_PROGRESS
from backend.evals import service
from backend.evals.models import EvalRunStatus
from backend.evals.types import EvalProgress
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanRead


@strawberry.type
class EvalSubscriptions:
    @strawberry.subscription(
        permission_classes=[CanRead],
        description="Where one eval run stands now, then its progress until it completes.",
    )
    async def eval_run_progress(self, info: Info, id: relay.GlobalID) -> AsyncGenerator[EvalProgress, None]:
        if id.type_name != "EvalRun":
            raise BadUserInput("'id' is not an EvalRun id.", field="id")
        wanted = parse_uuid(id.node_id, field="id")
        # Listening starts before the snapshot is read, so a run finishing in between is not missed.
        async with info.context.services.hub.listening(EVAL_PROGRESS) as events:
            run = await service.get_run(run_id=wanted)
            if run is None:
                return
            snapshot = {
                "done": run.passed + run.failed,
                "total": run.total,
                "passed": run.passed,
                "status": run.status.value,
            }
            async for event in _starting_with(snapshot, events):
                if event.get("evalRunId", str(wanted)) != str(wanted):
                    continue
                status = EvalRunStatus(event["status"])
                yield EvalProgress(
                    eval_run_id=strawberry.ID(str(id)),
                    done=event["done"],
                    total=event["total"],
                    passed=event["passed"],
                    status=status,
                )
                if status in (EvalRunStatus.COMPLETED, EvalRunStatus.FAILED):
                    return


async def _starting_with(
    first: dict[str, Any], rest: AsyncIterator[dict[str, Any]]
) -> AsyncIterator[dict[str, Any]]:
    yield first
    async for item in rest:
        yield item
