"""Mutations that create and revoke API keys (admin only)."""

from __future__ import annotations

from typing import Annotated

import strawberry
from pydantic import BaseModel, Field, field_validator
from strawberry import relay
from strawberry.types import Info

from backend.auth import service
from backend.auth.types import ApiKeyNode
from backend.core.scopes import Scope
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import IsAdmin
from backend.graphql.validation import validate_input


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[Scope]


class _CreateApiKey(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1)

    @field_validator("name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


@strawberry.type(description="The new key. `secret` is shown this once and cannot be retrieved again.")
class CreateApiKeyPayload:
    api_key: ApiKeyNode
    secret: str


@strawberry.input
class RevokeApiKeyInput:
    id: relay.GlobalID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKeyNode


CreateApiKeyResult = Annotated[CreateApiKeyPayload | ValidationError, strawberry.union("CreateApiKeyResult")]
RevokeApiKeyResult = Annotated[
    RevokeApiKeyPayload | NotFoundError | ValidationError, strawberry.union("RevokeApiKeyResult")
]


@strawberry.type
class AuthMutations:
    @strawberry.mutation(permission_classes=[IsAdmin])
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyResult:
        checked = validate_input(_CreateApiKey, {"name": input.name, "scopes": input.scopes})
        if isinstance(checked, ValidationError):
            return checked
        key, secret = await service.create_api_key(name=checked.name, scopes=checked.scopes)
        return CreateApiKeyPayload(api_key=ApiKeyNode.from_model(key), secret=secret)

    @strawberry.mutation(
        permission_classes=[IsAdmin], description="Revoke a key; every replica refuses it within seconds."
    )
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyResult:
        if input.id.type_name != "ApiKey":
            return ValidationError(field="id", message="is not an ApiKey id")
        try:
            key_id = parse_uuid(input.id.node_id)
        except BadUserInput as error:
            return ValidationError(field="id", message=error.message)
        key = await service.revoke_api_key(key_id=key_id)
        if key is None:
            return NotFoundError(id=strawberry.ID(str(input.id)), message="No API key with this id.")
        info.context.services.authenticator.forget(key_id=key.id)
        return RevokeApiKeyPayload(api_key=ApiKeyNode.from_model(key))
