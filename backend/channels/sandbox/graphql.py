"""GraphQL for the sandbox provider's outbox: what it accepted, labelled as never having reached a
customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.sandbox import listing
from backend.channels.sandbox.models import SandboxMessage
from backend.conversations.types import MessageNode
from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead, require_scope
from backend.graphql.text_filters import check_text_filter, column_length


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
    async def reply(self, info: Info) -> MessageNode | None:
        message = await info.context.loaders.message_by_id.load(parse_uuid(self.id))
        return MessageNode.from_model(message) if message else None

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


@strawberry.input(description="Narrow the sandbox's outbox; fields combine with AND.")
class SandboxMessageFilter:
    channel: Channel | None = None
    recipient: str | None = strawberry.field(
        default=None, description="Exactly this phone number or user id."
    )

    def criteria(self) -> listing.SandboxCriteria:
        check_text_filter(
            self.recipient, field="filter.recipient", max_length=column_length(SandboxMessage, "recipient")
        )
        return listing.SandboxCriteria(channel=self.channel, recipient=self.recipient)


@strawberry.type
class SandboxQueries:
    @strawberry.field(
        permission_classes=[CanRead],
        description=(
            "What the built-in sandbox provider accepted, newest first: the messages customers would have "
            "received."
        ),
    )
    async def sandbox_messages(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: SandboxMessageFilter | None = None,
    ) -> relay.Connection[SandboxMessageNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else listing.SandboxCriteria()
        page = await listing.page_sandbox_messages(criteria=criteria, first=size, after=after)
        return to_connection(page, SandboxMessageNode.from_model)
