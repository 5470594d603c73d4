"""Replies on their way out: listed by delivery status, counted, and who carries them per channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.delivery import replies
from backend.channels.delivery.endpoints import provider_for
from backend.channels.delivery.types import DeliveryEndpoint, DeliveryStatusCount
from backend.conversations.models import DeliveryStatus
from backend.core.enums import Channel
from backend.graphql.nodes import as_node
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanRead

if TYPE_CHECKING:
    from backend.conversations.types import MessageNode


@strawberry.input(description="Narrow the replies; fields combine with AND.")
class ReplyFilter:
    delivery_status: DeliveryStatus | None = strawberry.field(
        default=None,
        description="UNCERTAIN: an attempt did not finish and nothing could tell whether it arrived.",
    )
    channel: Channel | None = None


@strawberry.type
class DeliveryQueries:
    @strawberry.field(
        permission_classes=[CanRead], description="Outbound messages (agent and human replies), newest first."
    )
    async def replies(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ReplyFilter | None = None,
    ) -> relay.Connection[Annotated[MessageNode, strawberry.lazy("backend.conversations.types")]]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = replies.ReplyCriteria(
            delivery_status=filter.delivery_status if filter else None,
            channel=filter.channel if filter else None,
        )
        page = await replies.page_replies(criteria=criteria, first=size, after=after)
        return to_connection(page, as_node)

    @strawberry.field(
        permission_classes=[CanRead],
        description=(
            "Per channel, who takes the replies: a real endpoint, the built-in sandbox "
            "(AGENTOPS_SANDBOX_DELIVERY), or "
            "nobody. Read from the settings, which the API and the workers share."
        ),
    )
    def delivery_endpoints(self, info: Info) -> list[DeliveryEndpoint]:
        settings = info.context.services.settings
        return [
            DeliveryEndpoint(channel=channel, provider=provider_for(settings, channel)) for channel in Channel
        ]

    @strawberry.field(
        permission_classes=[CanRead],
        description="Replies per delivery status right now, SENT aside (UNCERTAIN ones need a person).",
    )
    async def reply_delivery_counts(self) -> list[DeliveryStatusCount]:
        counts = await replies.count_by_delivery_status()
        return [DeliveryStatusCount(status=status, count=count) for status, count in counts.items()]
