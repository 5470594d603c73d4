"""GraphQL types of ingestion: events, dead letters, the typed answers of the ingest mutations."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.core.enums import Channel
from backend.core.scopes import Scope
from backend.graphql.common_types import ValidationError
from backend.graphql.ids import parse_uuid
from backend.graphql.nodes import as_node
from backend.graphql.permissions import CanOperate, require_scope
from backend.ingest import dead_letters
from backend.ingest.models import DeadLetter, IngestEvent, IngestStatus

if TYPE_CHECKING:
    from backend.conversations.types import ConversationNode

strawberry.enum(
    IngestStatus, description="RECEIVED: accepted, waiting; PROCESSED: in its conversation; DEAD: failed."
)


@strawberry.type(name="IngestEvent", description="An event as accepted from a channel adapter.")
class IngestEventNode(relay.Node):
    id: relay.NodeID[str]
    channel: Channel
    idempotency_key: str
    sender: str
    external_conversation_id: str | None
    text: str
    occurred_at: datetime
    metadata: JSON
    status: IngestStatus
    attempts: int
    last_error: str | None
    received_at: datetime
    processed_at: datetime | None
    thread_key: strawberry.Private[str]

    @strawberry.field(description="The conversation it was appended to (null until processed).")
    async def conversation(
        self, info: Info
    ) -> Annotated[ConversationNode, strawberry.lazy("backend.conversations.types")] | None:
        row = await info.context.loaders.conversation_by_thread.load((self.channel.value, self.thread_key))
        return as_node(row)

    @classmethod
    def from_model(cls, event: IngestEvent) -> IngestEventNode:
        return cls(
            id=str(event.id),
            channel=event.channel,
            idempotency_key=event.idempotency_key,
            sender=event.sender,
            external_conversation_id=event.external_conversation_id,
            text=event.text,
            occurred_at=event.occurred_at,
            metadata=event.metadata,
            status=event.status,
            attempts=event.attempts,
            last_error=event.last_error,
            received_at=event.received_at,
            processed_at=event.processed_at,
            thread_key=event.thread_key,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        events = await info.context.loaders.ingest_event_by_id.load_many(
            [parse_uuid(node_id) for node_id in node_ids]
        )
        return [cls.from_model(event) if event else None for event in events]


@strawberry.type(
    name="DeadLetter", description="An event that failed on every attempt; replay it once fixed."
)
class DeadLetterNode(relay.Node):
    id: relay.NodeID[str]
    error_type: str
    error_message: str
    attempts: int
    first_failed_at: datetime
    dead_at: datetime
    replayed_at: datetime | None
    replay_count: int
    event_id: strawberry.Private[object]
    traceback: strawberry.Private[str]

    @strawberry.field(permission_classes=[CanOperate], description="The last frames of the failure.")
    def traceback_summary(self) -> str:
        return self.traceback

    @strawberry.field
    async def event(self, info: Info) -> IngestEventNode | None:
        row = await info.context.loaders.ingest_event_by_id.load(self.event_id)
        return IngestEventNode.from_model(row) if row else None

    @classmethod
    def from_model(cls, letter: DeadLetter) -> DeadLetterNode:
        return cls(
            id=str(letter.id),
            error_type=letter.error_type,
            error_message=letter.error_message,
            attempts=letter.attempts,
            first_failed_at=letter.first_failed_at,
            dead_at=letter.dead_at,
            replayed_at=letter.replayed_at,
            replay_count=letter.replay_count,
            event_id=letter.event_id,  # type: ignore[attr-defined]
            traceback=letter.traceback_summary,
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list:
        require_scope(info, Scope.READ)
        letters = await dead_letters.get_dead_letters(ids=[parse_uuid(node_id) for node_id in node_ids])
        return [cls.from_model(letter) if letter else None for letter in letters]


@strawberry.type(
    description="The event is safe: stored and queued. `duplicate` means it had been accepted before."
)
class EventAccepted:
    event_id: strawberry.ID
    duplicate: bool


@strawberry.type(description="Too many events from this key or sender; send again after retryAfterSeconds.")
class RateLimited:
    message: str
    retry_after_seconds: int


@strawberry.type(description="No valid API key with the `ingest` scope was presented.")
class Unauthorized:
    message: str


IngestEventResult = Annotated[
    EventAccepted | ValidationError | RateLimited | Unauthorized, strawberry.union("IngestEventResult")
]
IngestEventsItemResult = Annotated[
    EventAccepted | ValidationError | RateLimited, strawberry.union("IngestEventsItemResult")
]


@strawberry.type(description="One answer per event, in the order they were sent.")
class IngestEventsPayload:
    results: list[IngestEventsItemResult]


IngestEventsResult = Annotated[
    IngestEventsPayload | ValidationError | Unauthorized, strawberry.union("IngestEventsResult")
]


@strawberry.type(description="Ingestion counters, pushed every few seconds.")
class IngestStats:
    accepted: int
    received: int = strawberry.field(description="Accepted, not yet processed.")
    processed: int
    dead: int
    queue_depth: int = strawberry.field(
        description="Jobs waiting in the queue; -1 while Redis is unreachable."
    )
    at: datetime
