"""Log in with e-mail and password (a session token comes back) and log out."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend.graphql.common_types import ValidationError
from backend.graphql.permissions import IsAuthenticated
from backend.ingest.rate_limit import Bucket
from backend.users import service
from backend.users.types import (
    InvalidCredentials,
    LoginPayload,
    LogoutPayload,
    TooManyLoginAttempts,
    UserView,
)


@strawberry.input
class LoginInput:
    email: str
    password: str


LoginResult = Annotated[
    LoginPayload | InvalidCredentials | TooManyLoginAttempts, strawberry.union("LoginResult")
]
LogoutResult = Annotated[LogoutPayload | ValidationError, strawberry.union("LogoutResult")]


@strawberry.type
class UserMutations:
    @strawberry.mutation(
        description="Start a dashboard session; the token carries the user's role as scopes."
    )
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        settings = info.context.services.settings
        email_key = service.normalise_email(input.email)[: service.MAX_EMAIL_LENGTH]
        attempts = Bucket(name=f"login:{email_key}", limit=settings.login_attempts_per_minute)
        [retry_after] = await info.context.services.ingest.rate_limiter.retry_after([[attempts]])
        if retry_after is not None:
            return TooManyLoginAttempts(retry_after_seconds=retry_after)
        session = await service.log_in(
            email=input.email,
            password=input.password,
            session_lifetime=timedelta(hours=settings.session_hours),
        )
        if session is None:
            return InvalidCredentials()
        return LoginPayload(
            token=session.token,
            expires_at=session.expires_at,
            scopes=sorted(session.scopes, key=lambda scope: scope.value),
            user=UserView.from_model(session.user),
        )

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="End the session whose token makes this request."
    )
    async def logout(self, info: Info) -> LogoutResult:
        caller = info.context.caller
        if not await service.log_out(key_id=caller.key_id):
            return ValidationError(
                field="authorization", message="is an API key, not a session; revoke keys instead"
            )
        info.context.services.authenticator.forget(key_id=caller.key_id)
        return LogoutPayload(ended=True)
