"""agentRespond: the playground (scope `operate`): one or more turns now, by default as a dry run."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON
from strawberry.types import Info

from backend.agent.prompts import PromptNotFound
from backend.agent.setup import build_agent
from backend.channels.delivery.service import enqueue_deliveries
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate
from backend.runs import playground
from backend.runs.types import RunStatus  # the GraphQL enum (types.py declares it)

MAX_PLAYGROUND_MESSAGES = 10
KNOWN_POLICIES = ("rules", "openai")


@strawberry.input(description="Customer messages to answer, on a conversation or on a fresh scratch one.")
class AgentRespondInput:
    messages: list[str]
    conversation_id: relay.GlobalID | None = None
    policy: str | None = strawberry.field(
        default=None, description="rules or openai; the deployment's by default."
    )
    prompt_version: str | None = None
    dry_run: bool = strawberry.field(
        default=True, description="Roll everything back: nothing booked, stored or sent."
    )
    deliver: bool = strawberry.field(
        default=False,
        description="Kept turns only (dryRun false): also send the replies to the conversation's customer. "
        "Off by default: the operator's messages are stored as OPERATOR messages and the replies stay "
        "unsent.",
    )


@strawberry.type(description="A tool call the turn made (or would have made, in a dry run).")
class PlaygroundToolCall:
    name: str
    arguments: JSON
    result: JSON | None
    error: str | None
    latency_ms: float


@strawberry.type
class PlaygroundTurnResult:
    customer_text: str
    reply: str | None = strawberry.field(description="Null when a human owns the conversation.")
    status: RunStatus | None
    latency_ms: float | None
    tool_calls: list[PlaygroundToolCall]


@strawberry.type
class AgentRespondPayload:
    dry_run: bool
    policy: str
    prompt_name: str
    prompt_version: str
    turns: list[PlaygroundTurnResult]


AgentRespondResult = Annotated[
    AgentRespondPayload | ValidationError | NotFoundError, strawberry.union("AgentRespondResult")
]


def _problem(input: AgentRespondInput) -> ValidationError | None:
    if not 1 <= len(input.messages) <= MAX_PLAYGROUND_MESSAGES:
        return ValidationError(field="messages", message=f"must hold 1 to {MAX_PLAYGROUND_MESSAGES} messages")
    if any(not text.strip() or len(text) > 2000 or "\x00" in text for text in input.messages):
        return ValidationError(field="messages", message="each must be 1 to 2000 characters, without NUL")
    if input.policy is not None and input.policy not in KNOWN_POLICIES:
        return ValidationError(field="policy", message=f"must be one of {', '.join(KNOWN_POLICIES)}")
    if input.deliver and input.dry_run:
        return ValidationError(field="deliver", message="only a kept turn (dryRun: false) can be delivered")
    if input.conversation_id is not None and input.conversation_id.type_name != "Conversation":
        return ValidationError(field="conversationId", message="is not a Conversation id")
    return None


@strawberry.type
class AgentMutations:
    @strawberry.mutation(
        permission_classes=[CanOperate], description="Run agent turns now and show what happened."
    )
    async def agent_respond(self, info: Info, input: AgentRespondInput) -> AgentRespondResult:
        problem = _problem(input)
        if problem:
            return problem
        settings = info.context.services.settings
        try:
            setup = build_agent(settings, policy=input.policy, prompt_version=input.prompt_version)
            conversation_id = (
                parse_uuid(input.conversation_id.node_id, field="conversationId")
                if input.conversation_id
                else None
            )
        except PromptNotFound as error:
            return ValidationError(field="promptVersion", message=str(error))
        except BadUserInput as error:
            return ValidationError(field="conversationId", message=error.message)
        turns = await playground.respond(
            setup=setup,
            texts=[text.strip() for text in input.messages],
            conversation_id=conversation_id,
            dry_run=input.dry_run,
            deliver=input.deliver,
        )
        if turns is None:
            return NotFoundError(
                id=strawberry.ID(str(input.conversation_id)), message="No conversation with this id."
            )
        if input.deliver and not input.dry_run:
            ingest = info.context.services.ingest
            replies = [turn.outcome.reply_message_id for turn in turns if turn.outcome]
            await enqueue_deliveries(queue=ingest.queue, settings=ingest.settings, message_ids=replies)
        return AgentRespondPayload(
            dry_run=input.dry_run,
            policy=setup.policy.name,
            prompt_name=setup.prompt.name,
            prompt_version=setup.prompt.version,
            turns=[
                PlaygroundTurnResult(
                    customer_text=turn.customer_text,
                    reply=turn.outcome.reply if turn.outcome else None,
                    status=turn.outcome.status if turn.outcome else None,
                    latency_ms=turn.outcome.latency_ms if turn.outcome else None,
                    tool_calls=[
                        PlaygroundToolCall(
                            name=call.name,
                            arguments=call.arguments,
                            result=call.result,
                            error=call.error,
                            latency_ms=call.latency_ms,
                        )
                        for call in turn.tool_calls
                    ],
                )
                for turn in turns
            ],
        )
