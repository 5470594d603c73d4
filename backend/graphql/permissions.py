"""Scope checks for fields: a missing or refused key is UNAUTHENTICATED (401), a missing scope FORBIDDEN
(403)."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from backend.core.scopes import Caller, Scope, grants
from backend.graphql.errors import Forbidden, Unauthenticated


def require_caller(info: Info) -> Caller:
    """The authenticated caller, or UNAUTHENTICATED naming why."""
    context = info.context
    if context.caller is None:
        context.set_http_status(401)
        raise Unauthenticated(
            context.auth_problem
            or "Authentication required: send an API key as 'Authorization: Bearer <key>'."
        )
    return context.caller


def require_scope(info: Info, scope: Scope) -> Caller:
    """The caller, provided it holds `scope`; otherwise the precise error."""
    context = info.context
    caller = require_caller(info)
    if not grants(caller.scopes, scope):
        context.set_http_status(403)
        raise Forbidden(f"This API key lacks the '{scope.value}' scope.", requiredScope=scope.value)
    return caller


class _ScopePermission(BasePermission):
    scope: Scope

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_scope(info, self.scope)  # raises the precise error itself
        return True


class CanIngest(_ScopePermission):
    scope = Scope.INGEST


class CanRead(_ScopePermission):
    scope = Scope.READ


class CanOperate(_ScopePermission):
    scope = Scope.OPERATE


class IsAdmin(_ScopePermission):
    scope = Scope.ADMIN


class IsAuthenticated(BasePermission):
    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        require_caller(info)
        return True
