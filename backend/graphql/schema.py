"""The schema: each domain's Query/Mutation/Subscription mixins combined, plus limits and error masking."""

from __future__ import annotations

from functools import lru_cache

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
from backend.ingest.mutations import IngestMutations
from backend.ingest.queries import IngestQueries
from backend.ingest.subscriptions import IngestSubscriptions
from backend.settings import Settings, get_settings


@strawberry.type
class Query(AuthQueries, ConversationQueries, IngestQueries):
    node: relay.Node | None = relay.node(description="Any object by its global id.")


@strawberry.type
class Mutation(AuthMutations, ConversationMutations, IngestMutations):
    pass


@strawberry.type
class Subscription(ConversationSubscriptions, IngestSubscriptions):
    pass


def _limits() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def get_schema() -> strawberry.Schema:
    """The executable schema; built once per process (Strawberry's relay fields cannot be built twice)."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            MaskUnexpectedErrors,
            # Caches first: a repeated document skips parsing and validation entirely.
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            # Limits read the process's settings as each request starts.
            lambda: QueryDepthLimiter(max_depth=_limits().graphql_max_depth),
            lambda: MaxTokensLimiter(max_token_count=_limits().graphql_max_tokens),
            lambda: MaxAliasesLimiter(max_alias_count=_limits().graphql_max_aliases),
        ],
    )


def schema_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return get_schema().as_str() + "\n"
