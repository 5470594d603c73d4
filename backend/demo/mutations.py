"""The demo's mutation: reseed it from the dashboard (admins only)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.demo import service
from backend.graphql.permissions import IsAdmin


@strawberry.type
class ReseedDemoPayload:
    slots_added: int
    events_accepted: int = strawberry.field(description="New demo events sent through the ingest path.")
    eval_runs: int = strawberry.field(description="Eval runs made (only when none had run yet).")
    history_conversations: int = strawberry.field(
        description="Backdated conversations added (only the first time)."
    )


@strawberry.type
class DemoMutations:
    @strawberry.mutation(
        permission_classes=[IsAdmin],
        description="Send a fresh round of demo conversations and fill in any missing demo history.",
    )
    async def reseed_demo(self, info: Info) -> ReseedDemoPayload:
        summary = await service.reseed_demo(context=info.context.services.ingest)
        return ReseedDemoPayload(
            slots_added=summary.slots_added,
            events_accepted=summary.events_accepted,
            eval_runs=summary.eval_runs,
            history_conversations=summary.history_conversations,
        )
