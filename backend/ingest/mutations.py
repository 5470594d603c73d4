"""ingestEvent / ingestEvents (scope `ingest`) and dead-letter replays (scope `operate`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.core.enums import Channel
from backend.core.scopes import Caller, Scope, grants
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate
from backend.graphql.validation import validate_input
from backend.ingest import dead_letters, service
from backend.ingest.queries import DeadLetterFilter
from backend.ingest.schemas import IncomingEvent, IngestLimits
from backend.ingest.types import (
    DeadLetterNode,
    EventAccepted,
    IngestEventResult,
    IngestEventsPayload,
    IngestEventsResult,
    RateLimited,
    Unauthorized,
)


@strawberry.input(description="One customer event. The idempotency key makes sending it again harmless.")
class IngestEventInput:
    channel: Channel
    idempotency_key: str
    sender: str = strawberry.field(description="A phone number (SMS, voice) or a user id (chat).")
    text: str = strawberry.field(description="The message, or the transcript segment for voice.")
    occurred_at: datetime
    external_conversation_id: str | None = None
    metadata: JSON | None = None

    def as_dict(self) -> dict:
        return {
            "channel": self.channel,
            "idempotency_key": self.idempotency_key,
            "sender": self.sender,
            "text": self.text,
            "occurred_at": self.occurred_at,
            "external_conversation_id": self.external_conversation_id,
            "metadata": self.metadata if self.metadata is not None else {},
        }


@strawberry.input(description="Up to `ingestMaxBatch` events (100 by default), answered one by one.")
class IngestEventsInput:
    events: list[IngestEventInput]


@strawberry.input
class ReplayDeadLetterInput:
    dead_letter_id: relay.GlobalID


@strawberry.type
class ReplayDeadLetterPayload:
    dead_letter: DeadLetterNode
    replayed: bool = strawberry.field(description="False when its event was not DEAD (already replayed).")


ReplayDeadLetterResult = Annotated[
    ReplayDeadLetterPayload | NotFoundError | ValidationError, strawberry.union("ReplayDeadLetterResult")
]


@strawberry.input
class ReplayDeadLettersInput:
    filter: DeadLetterFilter | None = None


@strawberry.type
class ReplayDeadLettersPayload:
    replayed: int


def _ingest_caller(info: Info) -> Caller | Unauthorized:
    caller = info.context.caller
    if caller is None:
        return Unauthorized(
            message=info.context.auth_problem or "Send an API key as 'Authorization: Bearer <key>'."
        )
    if not grants(caller.scopes, Scope.INGEST):
        return Unauthorized(message="This API key lacks the 'ingest' scope.")
    return caller


def _validate(info: Info, item: IngestEventInput) -> IncomingEvent | ValidationError:
    limits = IngestLimits.from_settings(info.context.services.settings)
    return validate_input(IncomingEvent, item.as_dict(), context={"limits": limits})


def _answer(answer: service.Accepted | service.Throttled) -> EventAccepted | RateLimited:
    if isinstance(answer, service.Throttled):
        return RateLimited(
            message="Rate limit reached for this key or sender.",
            retry_after_seconds=answer.retry_after_seconds,
        )
    return EventAccepted(
        event_id=strawberry.ID(relay.to_base64("IngestEvent", answer.event_id)), duplicate=answer.duplicate
    )


@strawberry.type
class IngestMutations:
    @strawberry.mutation(description="Accept one event durably; processing happens in the background.")
    async def ingest_event(self, info: Info, input: IngestEventInput) -> IngestEventResult:
        checked = _validate(info, input)
        if isinstance(checked, ValidationError):
            return checked
        caller = _ingest_caller(info)
        if isinstance(caller, Unauthorized):
            return caller
        answer = await service.accept_event(
            event=checked, api_key_id=caller.key_id, context=info.context.services.ingest
        )
        return _answer(answer)

    @strawberry.mutation(description="Accept a batch; each event gets its own answer, in order.")
    async def ingest_events(self, info: Info, input: IngestEventsInput) -> IngestEventsResult:
        maximum = info.context.services.settings.ingest_max_batch
        if not 1 <= len(input.events) <= maximum:
            return ValidationError(
                field="events", message=f"must hold between 1 and {maximum} events (got {len(input.events)})"
            )
        checked = [_validate(info, item) for item in input.events]
        caller = _ingest_caller(info)
        if isinstance(caller, Unauthorized):
            return caller
        answers = await service.accept_checked(
            checked=checked, api_key_id=caller.key_id, context=info.context.services.ingest
        )
        return IngestEventsPayload(
            results=[answer if isinstance(answer, ValidationError) else _answer(answer) for answer in answers]
        )

    @strawberry.mutation(
        permission_classes=[CanOperate], description="Send a dead letter's event down the path again."
    )
    async def replay_dead_letter(self, info: Info, input: ReplayDeadLetterInput) -> ReplayDeadLetterResult:
        if input.dead_letter_id.type_name != "DeadLetter":
            return ValidationError(field="deadLetterId", message="is not a DeadLetter id")
        try:
            letter_id = parse_uuid(input.dead_letter_id.node_id, field="deadLetterId")
        except BadUserInput as error:
            return ValidationError(field="deadLetterId", message=error.message)
        ingest = info.context.services.ingest
        letter, replayed = await dead_letters.replay_dead_letter(
            dead_letter_id=letter_id, queue=ingest.queue, settings=ingest.settings
        )
        if letter is None:
            return NotFoundError(
                id=strawberry.ID(str(input.dead_letter_id)), message="No dead letter with this id."
            )
        return ReplayDeadLetterPayload(dead_letter=DeadLetterNode.from_model(letter), replayed=replayed)

    @strawberry.mutation(
        permission_classes=[CanOperate], description="Replay every dead letter matching the filter."
    )
    async def replay_dead_letters(
        self, info: Info, input: ReplayDeadLettersInput
    ) -> ReplayDeadLettersPayload:
        ingest = info.context.services.ingest
        criteria = input.filter.criteria() if input.filter else dead_letters.DeadLetterCriteria()
        count = await dead_letters.replay_dead_letters(
            criteria=criteria, queue=ingest.queue, settings=ingest.settings
        )
        return ReplayDeadLettersPayload(replayed=count)
