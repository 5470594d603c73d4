"""What an accepted event must look like; the limits come from settings, passed as validation context."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel

from backend.core.enums import Channel
from backend.settings import Settings

SCALARS = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class IngestLimits:
    max_text_chars: int
    max_metadata_bytes: int
    max_future: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> IngestLimits:
        return cls(
            max_text_chars=settings.ingest_max_text_chars,
            max_metadata_bytes=settings.ingest_max_metadata_bytes,
            max_future=timedelta(seconds=settings.ingest_max_future_seconds),
        )


def _limits(info: ValidationInfo) -> IngestLimits:
    return info.context["limits"]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here keeps the insert from failing later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class IncomingEvent(BaseModel):
    """One customer event from a channel adapter, validated before anything is written."""

    # Webhooks send camelCase JSON, GraphQL resolvers pass snake_case: both name the same fields.
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, validate_by_name=True, validate_by_alias=True
    )

    channel: Channel
    idempotency_key: str = Field(min_length=1, max_length=200)
    sender: str = Field(min_length=1, max_length=128)
    external_conversation_id: str | None = Field(default=None, min_length=1, max_length=200)
    text: str = Field(min_length=1)
    occurred_at: AwareDatetime
    metadata: dict[str, Any] = Field(default_factory=dict, max_length=32)

    @field_validator("idempotency_key", "sender", "external_conversation_id")
    @classmethod
    def _meaningful(cls, value: str | None) -> str | None:
        if value is not None:
            _no_nul(value)
            if not value.strip():
                raise ValueError("must not be blank")
        return value

    @field_validator("text")
    @classmethod
    def _text_fits(cls, value: str, info: ValidationInfo) -> str:
        _no_nul(value)
        if not value.strip():
            raise ValueError("must not be blank")
        limit = _limits(info).max_text_chars
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters (got {len(value)})")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        if value > datetime.now(UTC) + _limits(info).max_future:
            raise ValueError("is too far in the future (check the adapter's clock)")
        return value

    @field_validator("metadata")
    @classmethod
    def _metadata_fits(cls, value: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        for name, item in value.items():
            # Flat key/value pairs only: adapters' ids and flags, not documents.
            if not isinstance(item, SCALARS):
                raise ValueError(f"value of '{name}' must be a string, number, boolean or null")
        encoded = json.dumps(value, separators=(",", ":"))
        if "\\u0000" in encoded:
            raise ValueError("must not contain NUL characters")
        limit = _limits(info).max_metadata_bytes
        if len(encoded.encode()) > limit:
            raise ValueError(f"must be at most {limit} bytes as JSON")
        return value

    @property
    def thread_key(self) -> str:
        return self.external_conversation_id or self.sender
