"""The schema: each domain's Query/Mutation/Subscription mixins combined, plus limits and error masking."""

from __future__ import annotations

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from backend.auth.mutations import AuthMutations
from backend.auth.queries import AuthQueries
from backend.conversations.mutations import ConversationMutations
from backend.conversations.queries import ConversationQueries
from backend.conversations.subscriptions import ConversationSubscriptions
from backend.graphql.errors import MaskUnexpectedErrors
from backend.settings import Settings


@strawberry.type
class Query(AuthQueries, ConversationQueries):
    node: relay.Node | None = relay.node(description="Any object by its global id.")


@strawberry.type
class Mutation(AuthMutations, ConversationMutations):
    pass


@strawberry.type
class Subscription(ConversationSubscriptions):
    pass


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    """The executable schema with this deployment's limits."""
    settings = settings or Settings()
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            MaskUnexpectedErrors,
            # Caches first: a repeated document skips parsing and validation entirely.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: QueryDepthLimiter(max_depth=settings.graphql_max_depth),
            lambda: MaxTokensLimiter(max_token_count=settings.graphql_max_tokens),
            lambda: MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases),
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
