"""Queries for API keys and the caller."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.types import Info

from backend.auth import service
from backend.auth.types import ApiKeyNode, Viewer
from backend.graphql.pagination import page_size, to_connection
from backend.graphql.permissions import IsAdmin, IsAuthenticated


@strawberry.input(description="Which API keys to list.")
class ApiKeyFilter:
    include_revoked: bool = True


@strawberry.type
class AuthQueries:
    @strawberry.field(permission_classes=[IsAuthenticated], description="The key making this request.")
    def viewer(self, info: Info) -> Viewer:
        caller = info.context.caller
        return Viewer(key_name=caller.key_name, scopes=sorted(caller.scopes, key=lambda scope: scope.value))

    @strawberry.field(permission_classes=[IsAdmin], description="API keys, newest first.")
    async def api_keys(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: ApiKeyFilter | None = None,
    ) -> relay.Connection[ApiKeyNode]:
        size = page_size(first, maximum=info.context.services.settings.graphql_max_page_size)
        include_revoked = filter.include_revoked if filter else True
        page = await service.page_api_keys(include_revoked=include_revoked, first=size, after=after)
        return to_connection(page, ApiKeyNode.from_model)
