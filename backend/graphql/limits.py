"""Depth and alias limits whose validation rules are built once per limit value.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter make a new rule class each time they are constructed;
the validation cache is keyed on the rule classes, so limiters built per request would never hit the cache
(every request re-validated, ~3 ms of CPU). Building each rule class once keeps the cache working.
"""

from __future__ import annotations

from functools import lru_cache

from graphql import ValidationRule
from strawberry.extensions import AddValidationRules, max_aliases, query_depth_limiter


@lru_cache(maxsize=16)
def _depth_rule(max_depth: int) -> type[ValidationRule]:
    return query_depth_limiter.create_validator(max_depth, None, None)


@lru_cache(maxsize=16)
def _alias_rule(max_aliases_count: int) -> type[ValidationRule]:
    return max_aliases.create_validator(max_aliases_count)


def document_limits(*, max_depth: int, max_aliases_count: int) -> AddValidationRules:
    """A fresh extension (one per request, as Strawberry wants) reusing the same rule classes."""
    return AddValidationRules([_depth_rule(max_depth), _alias_rule(max_aliases_count)])
