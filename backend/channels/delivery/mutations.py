"""resendReply: send an UNCERTAIN or FAILED reply again, knowingly (scope `operate`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.delivery import replies
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node
from backend.graphql.permissions import CanOperate

if TYPE_CHECKING:
    from backend.conversations.types import MessageNode

DUPLICATE_RISK = (
    "The customer may already have this reply: resending may deliver it twice. Set acceptDuplicateRisk: true "
    "once you have decided that is better than it never arriving."
)


@strawberry.input
class ResendReplyInput:
    message_id: relay.GlobalID
    accept_duplicate_risk: bool = strawberry.field(
        description="Must be true: an UNCERTAIN reply may already have reached the customer and could "
        "arrive twice."
    )


@strawberry.type
class ResendReplyPayload:
    reply: Annotated[MessageNode, strawberry.lazy("backend.conversations.types")]
    resent: bool = strawberry.field(
        description="False when it was not UNCERTAIN or FAILED (already queued again)."
    )


ResendReplyResult = Annotated[
    ResendReplyPayload | NotFoundError | ValidationError, strawberry.union("ResendReplyResult")
]


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
        return ResendReplyPayload(reply=as_node(message), resent=resent)
