"""Queries over conversations."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.conversations import service
from backend.conversations.models import Conversation, ConversationStatus
from backend.conversations.types import ConversationNode
from backend.core.enums import Channel
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead
from backend.graphql.text_filters import check_text_filter, column_length
from backend.graphql.time_range import check_range


@strawberry.input(
    description="Narrow the conversations list; every field is optional and they combine with AND."
)
class ConversationFilter:
    channel: Channel | None = None
    status: ConversationStatus | None = None
    customer: str | None = None
    active_after: datetime | None = strawberry.field(default=None, description="Last message at or after.")
    active_before: datetime | None = strawberry.field(default=None, description="Last message before.")
    text: str | None = strawberry.field(default=None, description="Some message contains this (any case).")
    handed_off: bool | None = strawberry.field(
        default=None,
        description="true: the agent handed it to a human at some point (even if returned since).",
    )
    synthetic: bool | None = strawberry.field(
        default=None, description="true: only the demo's backdated history; false: only real traffic."
    )

    def criteria(self) -> service.ConversationCriteria:
        check_range(
            self.active_after, self.active_before, start_field="activeAfter", end_field="activeBefore"
        )
        if self.text is not None and not 1 <= len(self.text.strip()) <= 200:
            raise BadUserInput("'text' must be 1 to 200 characters.", field="filter.text")
        check_text_filter(self.text, field="filter.text", max_length=200)
        check_text_filter(
            self.customer, field="filter.customer", max_length=column_length(Conversation, "customer")
        )
        return service.ConversationCriteria(
            channel=self.channel,
            status=self.status,
            customer=self.customer,
            active_after=self.active_after,
            active_before=self.active_before,
            text=self.text.strip() if self.text else None,
            handed_off=self.handed_off,
            synthetic=self.synthetic,
        )


@strawberry.type
class ConversationQueries:
    @strawberry.field(permission_classes=[CanRead], description="Conversations, most recent activity first.")
    async def conversations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ConversationFilter | None = None,
    ) -> relay.Connection[ConversationNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = filter.criteria() if filter else service.ConversationCriteria()
        page = await service.page_conversations(criteria=criteria, first=size, after=after)
        return to_connection(page, ConversationNode.from_model)

    @strawberry.field(permission_classes=[CanRead], description="One conversation by its id (null if none).")
    async def conversation(self, info: Info, id: relay.GlobalID) -> ConversationNode | None:
        if id.type_name != "Conversation":
            raise BadUserInput("'id' is not a Conversation id.", field="id")
        row = await info.context.loaders.conversation_by_id.load(parse_uuid(id.node_id))
        return ConversationNode.from_model(row) if row else None
