"""What a key may do (`admin` implies every other scope), and who is calling with which."""

import uuid
from dataclasses import dataclass
from enum import Enum

import strawberry


@strawberry.enum(description="A permission an API key carries.")
class Scope(str, Enum):
    INGEST = "ingest"
    READ = "read"
    OPERATE = "operate"
    ADMIN = "admin"


def parse_scopes(values: list[str]) -> frozenset[Scope]:
    """Scopes from their stored names; unknown names (from a newer release) are ignored."""
    known = {scope.value: scope for scope in Scope}
    return frozenset(known[value] for value in values if value in known)


def grants(held: frozenset[Scope], needed: Scope) -> bool:
    """Whether a key holding `held` may use a field that needs `needed`."""
    return needed in held or Scope.ADMIN in held


@dataclass(frozen=True)
class Caller:
    """Who is calling: the key's id and name and what it may do."""

    key_id: uuid.UUID
    key_name: str
    scopes: frozenset[Scope]
