"""What the sandbox provider accepted, newest first."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.sandbox import service
from backend.channels.sandbox.models import SandboxMessage
from backend.channels.sandbox.types import SandboxMessageNode
from backend.core.enums import Channel
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length


@strawberry.input(description="Narrow the sandbox's outbox; fields combine with AND.")
class SandboxMessageFilter:
    channel: Channel | None = None
    recipient: str | None = strawberry.field(
        default=None, description="Exactly this phone number or user id."
    )

    def criteria(self) -> service.SandboxCriteria:
        check_text_filter(
            self.recipient, field="filter.recipient", max_length=column_length(SandboxMessage, "recipient")
        )
        return service.SandboxCriteria(channel=self.channel, recipient=self.recipient)


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
        criteria = filter.criteria() if filter else service.SandboxCriteria()
        page = await service.page_sandbox_messages(criteria=criteria, first=size, after=after)
        return to_connection(page, SandboxMessageNode.from_model)
