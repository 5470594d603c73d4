"""GraphQL types for users and sessions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from backend.core.scopes import Scope
from backend.users.models import User
from backend.users.roles import Role


@strawberry.type(name="User", description="A dashboard user.")
class UserView:
    email: str
    role: Role
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def from_model(cls, user: User) -> UserView:
        return cls(
            email=user.email, role=user.role, created_at=user.created_at, last_login_at=user.last_login_at
        )


@strawberry.type(
    description="A new session: send `token` as 'Authorization: Bearer <token>' until `expiresAt`."
)
class LoginPayload:
    token: str
    expires_at: datetime
    scopes: list[Scope]
    user: UserView


@strawberry.type(description="The e-mail and password do not match a user; nothing was changed.")
class InvalidCredentials:
    message: str = "The e-mail or password is wrong."


@strawberry.type(description="Too many login attempts for this e-mail; try again after retryAfterSeconds.")
class TooManyLoginAttempts:
    retry_after_seconds: int
    message: str = "Too many login attempts; wait a minute and try again."


@strawberry.type(description="The session is over: its token no longer works.")
class LogoutPayload:
    ended: bool
