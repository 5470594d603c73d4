"""Documents parsed and validated once per process, under the API's limits (tokens, depth, aliases).

One extension in place of four (Strawberry's ParserCache, ValidationCache, MaxTokensLimiter and
AddValidationRules with the depth and alias limiters): each extension costs every request its own object and
hook calls, and Strawberry's ValidationCache is keyed on the parsed document, whose dataclass hash walks the
whole syntax tree on every request. Here both caches are keyed on the query text and the limits, so a repeated
document costs two dictionary look-ups. The depth and alias rule classes are built once per limit value: built
per request they would never match a cache entry (every request re-validated, ~3 ms of CPU).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, GraphQLSchema, ValidationRule, parse
from strawberry.extensions import SchemaExtension, max_aliases, query_depth_limiter
from strawberry.schema.schema import validate_document

CACHED_DOCUMENTS = 512  # distinct query texts kept; bounded so unique texts cannot grow memory without limit


@lru_cache(maxsize=16)
def _depth_rule(max_depth: int) -> type[ValidationRule]:
    return query_depth_limiter.create_validator(max_depth, None, None)


@lru_cache(maxsize=16)
def _alias_rule(max_aliases_count: int) -> type[ValidationRule]:
    return max_aliases.create_validator(max_aliases_count)


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _parsed(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)  # a syntax error raises, and is not cached


@lru_cache(maxsize=CACHED_DOCUMENTS)
def _validated(
    schema: GraphQLSchema, query: str, max_tokens: int, rules: tuple[type[ValidationRule], ...]
) -> list[GraphQLError]:
    return validate_document(schema, _parsed(query, max_tokens), rules)


class PreparedDocuments(SchemaExtension):
    """Parse and validate with the limits, each distinct (query, limits) once per process."""

    def __init__(self, *, max_tokens: int, max_depth: int, max_aliases_count: int) -> None:
        self.max_tokens = max_tokens
        self.rules = (_depth_rule(max_depth), _alias_rule(max_aliases_count))

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query:  # none: Strawberry's own parse step answers that no query was sent
            context.graphql_document = _parsed(context.query, self.max_tokens)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        rules = (*context.validation_rules, *self.rules)
        context.pre_execution_errors = _validated(
            context.schema._schema, context.query, self.max_tokens, rules
        )
        yield
