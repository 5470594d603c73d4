"""Users (create, list) and sessions (log in with email and password, log out)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, Field, field_validator
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.auth import service as auth_service
from backend.core.scopes import Scope
from backend.users.models import User, UserSession
from backend.users.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    needs_rehash,
    verify_password,
)
from backend.users.roles import ROLE_SCOPES, Role

# Deliberately loose: one @, no spaces or control characters, a dot-free host allowed ("admin@localhost").
_EMAIL = re.compile(r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+$")
MAX_EMAIL_LENGTH = 254


class NewUser(BaseModel):
    """What creating a user needs, checked the same way from the CLI and from GraphQL."""

    email: str = Field(max_length=MAX_EMAIL_LENGTH)
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    role: Role

    @field_validator("email")
    @classmethod
    def _normalised_email(cls, value: str) -> str:
        email = normalise_email(value)
        if not _EMAIL.match(email):
            raise ValueError("is not an e-mail address")
        return email


class UserAlreadyExists(Exception):
    """Creating a user whose e-mail is taken."""

    def __init__(self, email: str) -> None:
        super().__init__(f"A user with e-mail {email!r} already exists.")
        self.email = email


@dataclass(frozen=True)
class Session:
    """A successful login: the key to send as `Authorization: Bearer`, valid until `expires_at`."""

    user: User
    token: str
    expires_at: datetime
    scopes: tuple[Scope, ...]


def normalise_email(email: str) -> str:
    """The form e-mails are stored and looked up in."""
    return email.strip().lower()


async def create_user(*, new_user: NewUser) -> User:
    """Store a user with a hashed password; UserAlreadyExists when the e-mail is taken."""
    try:
        return await User.create(
            email=new_user.email, password_hash=hash_password(new_user.password), role=new_user.role
        )
    except IntegrityError:
        raise UserAlreadyExists(new_user.email) from None


async def list_users() -> list[User]:
    """Every user, by e-mail."""
    return await User.all().order_by("email")


async def get_user_by_email(*, email: str) -> User | None:
    """The user with this e-mail (any case), if there is one."""
    return await User.get_or_none(email=normalise_email(email))


async def log_in(*, email: str, password: str, session_lifetime: timedelta) -> Session | None:
    """A new session for the right e-mail and password; None otherwise, having changed nothing.

    An unknown e-mail costs the same hashing time as a wrong password, so timing does not tell them apart.
    """
    # Input no stored user can have (PostgreSQL refuses NUL in text) matches nobody, at the same cost.
    plausible = len(password) <= MAX_PASSWORD_LENGTH and _EMAIL.match(normalise_email(email)) is not None
    user = await get_user_by_email(email=email) if plausible and len(email) <= MAX_EMAIL_LENGTH else None
    if not verify_password(password_hash=user.password_hash if user else None, password=password):
        return None
    assert user is not None
    scopes = ROLE_SCOPES[user.role]
    expires_at = datetime.now(UTC) + session_lifetime
    async with in_transaction():
        key, token = await auth_service.create_api_key(
            name=user.email[:100], scopes=list(scopes), expires_at=expires_at
        )
        await UserSession.create(user=user, api_key=key)
        user.last_login_at = datetime.now(UTC)
        update_fields = ["last_login_at"]
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            update_fields.append("password_hash")
        await user.save(update_fields=update_fields)
    return Session(user=user, token=token, expires_at=expires_at, scopes=scopes)


async def log_out(*, key_id: uuid.UUID) -> bool:
    """End the session whose key this is (revoking the key); False when the key is not a session's."""
    session = await UserSession.get_or_none(api_key_id=key_id)
    if session is None:
        return False
    await auth_service.revoke_api_key(key_id=key_id)
    return True


async def create_or_reset_user(*, new_user: NewUser) -> User:
    """Create the user, or give an existing one this password and role (for the demo admin of `make up`)."""
    user = await get_user_by_email(email=new_user.email)
    if user is None:
        return await create_user(new_user=new_user)
    user.password_hash = hash_password(new_user.password)
    user.role = new_user.role
    await user.save(update_fields=["password_hash", "role"])
    return user
