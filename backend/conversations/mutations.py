"""Mutations an operator uses on conversations."""

from __future__ import annotations

import uuid
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.channels.delivery.service import enqueue_deliveries
from backend.conversations import service
from backend.conversations.types import ConversationNode, MessageNode
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate


@strawberry.input
class CloseConversationInput:
    conversation_id: relay.GlobalID


@strawberry.type
class CloseConversationPayload:
    conversation: ConversationNode


@strawberry.input
class SendHumanReplyInput:
    conversation_id: relay.GlobalID
    text: str


@strawberry.type
class SendHumanReplyPayload:
    message: MessageNode


SendHumanReplyResult = Annotated[
    SendHumanReplyPayload | NotFoundError | ValidationError, strawberry.union("SendHumanReplyResult")
]


@strawberry.input
class ReturnToAgentInput:
    conversation_id: relay.GlobalID


@strawberry.type
class ReturnToAgentPayload:
    conversation: ConversationNode


ReturnToAgentResult = Annotated[
    ReturnToAgentPayload | NotFoundError | ValidationError, strawberry.union("ReturnToAgentResult")
]


def _conversation_id(value: relay.GlobalID) -> uuid.UUID | ValidationError:
    if value.type_name != "Conversation":
        return ValidationError(field="conversationId", message="is not a Conversation id")
    try:
        return parse_uuid(value.node_id, field="conversationId")
    except BadUserInput as error:
        return ValidationError(field="conversationId", message=error.message)


def _not_found(value: relay.GlobalID) -> NotFoundError:
    return NotFoundError(id=strawberry.ID(str(value)), message="No conversation with this id.")


CloseConversationResult = Annotated[
    CloseConversationPayload | NotFoundError | ValidationError, strawberry.union("CloseConversationResult")
]


@strawberry.type
class ConversationMutations:
    @strawberry.mutation(permission_classes=[CanOperate], description="Close a conversation (idempotent).")
    async def close_conversation(self, info: Info, input: CloseConversationInput) -> CloseConversationResult:
        conversation_id = _conversation_id(input.conversation_id)
        if isinstance(conversation_id, ValidationError):
            return conversation_id
        conversation = await service.close_conversation(
            conversation_id=conversation_id, hub=info.context.services.hub
        )
        if conversation is None:
            return _not_found(input.conversation_id)
        return CloseConversationPayload(conversation=ConversationNode.from_model(conversation))

    @strawberry.mutation(
        permission_classes=[CanOperate],
        description="Reply to the customer as a human; delivered like agent replies.",
    )
    async def send_human_reply(self, info: Info, input: SendHumanReplyInput) -> SendHumanReplyResult:
        conversation_id = _conversation_id(input.conversation_id)
        if isinstance(conversation_id, ValidationError):
            return conversation_id
        text = input.text.strip()
        if not 1 <= len(text) <= 1600 or "\x00" in text:
            return ValidationError(field="text", message="must be 1 to 1600 characters, without NUL")
        message = await service.append_human_reply(
            conversation_id=conversation_id, text=text, hub=info.context.services.hub
        )
        if message is None:
            return _not_found(input.conversation_id)
        ingest = info.context.services.ingest
        await enqueue_deliveries(queue=ingest.queue, settings=ingest.settings, message_ids=[message.id])
        return SendHumanReplyPayload(message=MessageNode.from_model(message))

    @strawberry.mutation(
        permission_classes=[CanOperate], description="Give a handed-off conversation back to the agent."
    )
    async def return_to_agent(self, info: Info, input: ReturnToAgentInput) -> ReturnToAgentResult:
        conversation_id = _conversation_id(input.conversation_id)
        if isinstance(conversation_id, ValidationError):
            return conversation_id
        conversation = await service.return_to_agent(
            conversation_id=conversation_id, hub=info.context.services.hub
        )
        if conversation is None:
            return _not_found(input.conversation_id)
        return ReturnToAgentPayload(conversation=ConversationNode.from_model(conversation))
