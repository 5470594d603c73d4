"""GraphQL type of the sandbox provider's outbox: a reply it accepted, labelled as never having reached a
customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.sandbox.models import SandboxMessage
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node
from backend.graphql.permissions import require_scope

if TYPE_CHECKING:
    from backend.conversations.types import MessageNode


@strawberry.type(
    name="SandboxMessage",
    description=(
        "A reply the built-in sandbox provider accepted (AGENTOPS_SANDBOX_DELIVERY): recorded where a "
        "provider would "
        "deliver it. No customer received it."
    ),
)
class SandboxMessageNode(relay.Node):
    id: relay.NodeID[str]
    provider_id: str = strawberry.field(description='The id the sandbox answered with ("SBX…").')
    channel: Channel
    recipient: str = strawberry.field(description="Who a real provider would have delivered it to.")
    thread: str
    text: str
    requests: int = strawberry.field(
        description=(
            "Sends that named this reply: more than 1 when an unfinished attempt was settled by sending "
            "again "
            "(accepted once all the same)."
        )
    )
    accepted_at: datetime

    @strawberry.field(description="The reply as the conversation holds it.")
    async def reply(
        self, info: Info
    ) -> Annotated[MessageNode, strawberry.lazy("backend.conversations.types")] | None:
        message = await info.context.loaders.message_by_id.load(parse_uuid(self.id))
        return as_node(message)

    @classmethod
    def from_model(cls, row: SandboxMessage) -> SandboxMessageNode:
        return cls(
            id=str(row.id),
            provider_id=row.provider_id,
            channel=row.channel,
            recipient=row.recipient,
            thread=row.thread,
            text=row.text,
            requests=row.requests,
            accepted_at=row.accepted_at,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        rows = await info.context.loaders.sandbox_message_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
        return [cls.from_model(row) if row else None for row in rows]
