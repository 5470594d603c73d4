"""startEvalRun (scope `operate`): run a suite version against a policy and prompt version on the workers."""

from __future__ import annotations

import re
from typing import Annotated

import strawberry
from pydantic import ValidationError as PydanticValidationError
from strawberry import relay
from strawberry.types import Info

from backend.agent.prompts import PromptNotFound, load_prompt
from backend.evals import service
from backend.evals.from_conversation import add_case_to_suite, case_from_conversation
from backend.evals.model_source import ModelSourceNotApplicable, model_source_for
from backend.evals.models import EvalSuite, ModelSource
from backend.evals.sync import latest_suite
from backend.evals.types import EvalRunNode, EvalSuiteNode
from backend.graphql.common_types import NotFoundError, ValidationError
from backend.graphql.errors import BadUserInput
from backend.graphql.ids import parse_uuid
from backend.graphql.permissions import CanOperate
from backend.graphql.text_filters import column_length

KNOWN_POLICIES = ("rules", "openai")


@strawberry.input
class StartEvalRunInput:
    suite: str
    suite_version: str | None = strawberry.field(default=None, description="The newest version when omitted.")
    policy: str = "rules"
    prompt_version: str | None = None
    model_source: ModelSource | None = strawberry.field(
        default=None,
        description="For the openai policy only: REPLAY (the cassettes) when omitted, LIVE or RECORD.",
    )


@strawberry.type
class StartEvalRunPayload:
    eval_run: EvalRunNode


StartEvalRunResult = Annotated[
    StartEvalRunPayload | ValidationError | NotFoundError, strawberry.union("StartEvalRunResult")
]


@strawberry.type
class EvalMutations:
    @strawberry.mutation(
        permission_classes=[CanOperate], description="Queue an eval run; follow it with evalRunProgress."
    )
    async def start_eval_run(self, info: Info, input: StartEvalRunInput) -> StartEvalRunResult:
        settings = info.context.services.settings
        for field, value, column in (
            ("suite", input.suite, "name"),
            ("suiteVersion", input.suite_version, "version"),
        ):
            # PostgreSQL refuses NUL in text, and the ORM a value longer than the column: a name that cannot
            # exist is the caller's mistake, not a server error.
            longest = column_length(EvalSuite, column)
            if value is not None and (not value.strip() or len(value) > longest or "\x00" in value):
                return ValidationError(field=field, message=f"must be 1 to {longest} characters, without NUL")
        if input.policy not in KNOWN_POLICIES:
            return ValidationError(field="policy", message=f"must be one of {', '.join(KNOWN_POLICIES)}")
        try:
            model_source = model_source_for(policy=input.policy, requested=input.model_source)
        except ModelSourceNotApplicable as error:
            return ValidationError(field="modelSource", message=str(error))
        try:
            prompt = load_prompt(settings.agent_prompt, input.prompt_version or settings.agent_prompt_version)
        except PromptNotFound as error:
            return ValidationError(field="promptVersion", message=str(error))
        suite = (
            await EvalSuite.get_or_none(name=input.suite, version=input.suite_version)
            if input.suite_version
            else await latest_suite(input.suite)
        )
        if suite is None:
            return NotFoundError(
                id=strawberry.ID(input.suite), message="No such suite (run `agentops eval sync`)."
            )
        run = await service.start_eval_run(
            suite=suite,
            policy=input.policy,
            prompt_version=prompt.version,
            model_source=model_source,
            queue=info.context.services.ingest.queue,
        )
        run.suite = suite
        return StartEvalRunPayload(eval_run=EvalRunNode.from_model(run))


@strawberry.input
class CreateGoldenFromConversationInput:
    conversation_id: relay.GlobalID
    suite: str
    name: str | None = strawberry.field(
        default=None, description="The case name; made from the id when omitted."
    )


@strawberry.type
class CreateGoldenFromConversationPayload:
    suite: EvalSuiteNode
    case_name: str


CreateGoldenResult = Annotated[
    CreateGoldenFromConversationPayload | ValidationError | NotFoundError,
    strawberry.union("CreateGoldenResult"),
]


@strawberry.type
class GoldenMutations:
    @strawberry.mutation(
        permission_classes=[CanOperate],
        description="Turn a conversation into a golden case (tool results frozen) in a new suite version.",
    )
    async def create_golden_from_conversation(
        self, info: Info, input: CreateGoldenFromConversationInput
    ) -> CreateGoldenResult:
        if input.conversation_id.type_name != "Conversation":
            return ValidationError(field="conversationId", message="is not a Conversation id")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,79}", input.suite):
            return ValidationError(field="suite", message="must be lower-case letters, digits, - or _")
        try:
            conversation_id = parse_uuid(input.conversation_id.node_id, field="conversationId")
        except BadUserInput as error:
            return ValidationError(field="conversationId", message=error.message)
        name = input.name or f"conversation-{str(conversation_id)[:8]}"
        try:
            case = await case_from_conversation(conversation_id=conversation_id, name=name)
        except PydanticValidationError as error:
            return ValidationError(field="name", message=error.errors()[0]["msg"])
        if case is None:
            return NotFoundError(
                id=strawberry.ID(str(input.conversation_id)), message="No conversation with messages."
            )
        suite = await add_case_to_suite(suite_name=input.suite, case=case)
        return CreateGoldenFromConversationPayload(suite=EvalSuiteNode.from_model(suite), case_name=case.name)
