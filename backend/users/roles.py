"""A user's role and the API scopes a session of that role carries."""

from enum import Enum

import strawberry

from backend.core.scopes import Scope


@strawberry.enum(
    description="VIEWER reads; OPERATOR also acts on conversations, incidents and dead letters; ADMIN all."
)
class Role(str, Enum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"


ROLE_SCOPES: dict[Role, tuple[Scope, ...]] = {
    Role.VIEWER: (Scope.READ,),
    Role.OPERATOR: (Scope.READ, Scope.OPERATE, Scope.INGEST),
    Role.ADMIN: (Scope.ADMIN,),
}
