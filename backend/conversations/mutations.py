"""Mutations an operator uses on conversations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.conversations import service
from backend.conversations.types import ConversationNode
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


CloseConversationResult = Annotated[
    CloseConversationPayload | NotFoundError | ValidationError, strawberry.union("CloseConversationResult")
]


@strawberry.type
class ConversationMutations:
    @strawberry.mutation(permission_classes=[CanOperate], description="Close a conversation (idempotent).")
    async def close_conversation(self, info: Info, input: CloseConversationInput) -> CloseConversationResult:
        if input.conversation_id.type_name != "Conversation":
            return ValidationError(field="conversationId", message="is not a Conversation id")
        try:
            conversation_id = parse_uuid(input.conversation_id.node_id, field="conversationId")
        except BadUserInput as error:
            return ValidationError(field="conversationId", message=error.message)
        conversation = await service.close_conversation(
            conversation_id=conversation_id, hub=info.context.services.hub
        )
        if conversation is None:
            return NotFoundError(id=strawberry.ID(str(input.conversation_id)), message="No conversation with this id.")
        return CloseConversationPayload(conversation=ConversationNode.from_model(conversation))
