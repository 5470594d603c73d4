"""GraphQL for replies on their way out: list them by delivery status, count what needs a person, resend
knowingly."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.delivery import replies
from backend.channels.delivery.endpoints import provider_for
from backend.conversations.models import DeliveryStatus
from backend.conversations.types import MessageNode
from backend.core.enums import Channel, DeliveryProvider
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import CanOperate, CanRead

DUPLICATE_RISK = (
    "The customer may already have this reply: resending may deliver it twice. Set acceptDuplicateRisk: true "
    "once you have decided that is better than it never arriving."
)


@strawberry.input(description="Narrow the replies; fields combine with AND.")
class ReplyFilter:
    delivery_status: DeliveryStatus | None = strawberry.field(
        default=None,
        description="UNCERTAIN: an attempt did not finish and nothing could tell whether it arrived.",
    )
    channel: Channel | None = None


@strawberry.type(description="How many replies are in one delivery status.")
class DeliveryStatusCount:
    status: DeliveryStatus
    count: int


@strawberry.type(description="Who carries replies out on one channel, as this deployment's settings say.")
class DeliveryEndpoint:
    channel: Channel
    provider: DeliveryProvider | None = strawberry.field(
        description="Null: no endpoint and no sandbox — replies on this channel are written FAILED."
    )

    @strawberry.field(
        description="True when the built-in sandbox takes them: no customer receives these replies."
    )
    def sandbox(self) -> bool:
        return self.provider == DeliveryProvider.SANDBOX


@strawberry.input
class ResendReplyInput:
    message_id: relay.GlobalID
    accept_duplicate_risk: bool = strawberry.field(
        description="Must be true: an UNCERTAIN reply may already have reached the customer and could "
        "arrive twice."
    )


@strawberry.type
class ResendReplyPayload:
    reply: MessageNode
    resent: bool = strawberry.field(
        description="False when it was not UNCERTAIN or FAILED (already queued again)."
    )


ResendReplyResult = Annotated[
    ResendReplyPayload | NotFoundError | ValidationError, strawberry.union("ResendReplyResult")
]


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
    ) -> relay.Connection[MessageNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        criteria = replies.ReplyCriteria(
            delivery_status=filter.delivery_status if filter else None,
            channel=filter.channel if filter else None,
        )
        page = await replies.page_replies(criteria=criteria, first=size, after=after)
        return to_connection(page, MessageNode.from_model)

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


@strawberry.type
class DeliveryMutations:
    @strawberry.mutation(
        permission_classes=[CanOperate],
        description=(
            "Send an UNCERTAIN or FAILED reply again. An UNCERTAIN one may already have reached the "
            "customer: it can "
            "arrive twice, so this needs acceptDuplicateRisk: true, and records who decided."
        ),
    )
    async def resend_reply(self, info: Info, input: ResendReplyInput) -> ResendReplyResult:
        if input.message_id.type_name != "Message":
            return ValidationError(field="messageId", message="is not a Message id")
        try:
            message_id = parse_uuid(input.message_id.node_id, field="messageId")
        except BadUserInput as error:
            return ValidationError(field="messageId", message=error.message)
        if not input.accept_duplicate_risk:
            return ValidationError(field="acceptDuplicateRisk", message=DUPLICATE_RISK)
        services = info.context.services
        message, resent = await replies.resend_reply(
            message_id=message_id,
            actor=info.context.caller.key_name,
            queue=services.ingest.queue,
            settings=services.settings,
            hub=services.hub,
        )
        if message is None:
            return NotFoundError(id=strawberry.ID(str(input.message_id)), message="No reply with this id.")
        return ResendReplyPayload(reply=MessageNode.from_model(message), resent=resent)
