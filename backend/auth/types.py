"""GraphQL types for API keys and the caller."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.auth.models import ApiKey
from backend.core.scopes import Scope, parse_scopes
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import require_scope


@strawberry.type(name="ApiKey", description="An API key; its secret is shown only once, when it is created.")
class ApiKeyNode(relay.Node):
    id: relay.NodeID[str]
    name: str
    prefix: str = strawberry.field(description="The key's first characters, to tell keys apart.")
    scopes: list[Scope]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    expires_at: datetime | None = strawberry.field(description="Dashboard session keys stop working then.")

    @strawberry.field
    def is_active(self) -> bool:
        expired = self.expires_at is not None and self.expires_at <= datetime.now(UTC)
        return self.revoked_at is None and not expired

    @classmethod
    def from_model(cls, key: ApiKey) -> ApiKeyNode:
        return cls(
            id=str(key.id),
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(parse_scopes(key.scopes), key=lambda scope: scope.value),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
            expires_at=key.expires_at,
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[ApiKeyNode | None]:
        require_scope(info, Scope.ADMIN)
        keys = await info.context.loaders.api_key_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
        return [cls.from_model(key) if key else None for key in keys]


@strawberry.type(description="Who is calling: the key used for this request.")
class Viewer:
    key_name: str
    scopes: list[Scope]
