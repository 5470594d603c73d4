"""GraphQL documents and small builders shared by the ingest tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

INGEST_EVENT = """
mutation Ingest($input: IngestEventInput!) {
  ingestEvent(input: $input) {
    __typename
    ... on EventAccepted { eventId duplicate }
    ... on ValidationError { field message }
    ... on RateLimited { message retryAfterSeconds }
    ... on Unauthorized { message }
  }
}
"""
INGEST_EVENTS = """
mutation IngestMany($input: IngestEventsInput!) {
  ingestEvents(input: $input) {
    __typename
    ... on IngestEventsPayload {
      results {
        __typename
        ... on EventAccepted { eventId duplicate }
        ... on ValidationError { field message }
        ... on RateLimited { retryAfterSeconds }
      }
    }
    ... on ValidationError { field message }
    ... on Unauthorized { message }
  }
}
"""


def event(
    *,
    key: str | None = None,
    sender: str = "+15550001111",
    text: str = "Can I book a haircut tomorrow at 3pm?",
    channel: str = "SMS",
    thread: str | None = None,
    **overrides,
) -> dict:
    """An IngestEventInput as a client would send it."""
    value = {
        "channel": channel,
        "idempotencyKey": key or f"test-{uuid.uuid4()}",
        "sender": sender,
        "text": text,
        "occurredAt": datetime.now(UTC).isoformat(),
        "metadata": {"gateway": "test"},
    }
    if thread:
        value["externalConversationId"] = thread
    value.update(overrides)
    return value
