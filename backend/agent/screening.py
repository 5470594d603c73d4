"""The guardrails around a turn: screen what the customer wrote and what the agent is about to say.

A blocked input is answered with a safe reply (the policy never sees it); a blocked reply is replaced by one.
Personal data a REDACT rule finds is replaced in the stored message too, so it is not kept or logged later.
"""

from __future__ import annotations

import uuid

from tortoise.backends.base.client import BaseDBAsyncClient

from backend.conversations.models import Message
from backend.guardrails.config import GuardrailConfig
from backend.guardrails.engine import CheckResult, check_input, check_output
from backend.guardrails.service import record_findings
from backend.ingest.models import IngestEvent

SAFE_INPUT_REPLY = (
    "Sorry, I can't help with that request. I can book, move or cancel appointments, or pass a problem to our team."
)
SAFE_OUTPUT_REPLY = "Sorry, I can't answer that here. A member of our team will follow up with you shortly."


async def screen_input(
    *,
    connection: BaseDBAsyncClient,
    config: GuardrailConfig,
    text: str,
    run_id: uuid.UUID,
    conversation_id: uuid.UUID,
    trigger_message_id: uuid.UUID | None,
) -> CheckResult:
    """Check the customer's text, record the hits, and keep only the redacted text where it is stored."""
    result = check_input(text, config=config)
    await record_findings(connection=connection, findings=result.findings, run_id=run_id,
                          conversation_id=conversation_id, config_version=config.version)
    if result.text != text and trigger_message_id is not None:
        message = await Message.get(id=trigger_message_id).using_db(connection)
        await Message.filter(id=trigger_message_id).using_db(connection).update(text=result.text)
        if message.ingest_event_id is not None:  # type: ignore[attr-defined]
            await IngestEvent.filter(id=message.ingest_event_id).using_db(connection).update(text=result.text)  # type: ignore[attr-defined]
    return result


async def screen_output(
    *,
    connection: BaseDBAsyncClient,
    config: GuardrailConfig,
    reply: str,
    channel: str,
    customer: str,
    run_id: uuid.UUID,
    conversation_id: uuid.UUID,
) -> str:
    """The reply that may be sent: redacted where a rule says so, replaced when a rule blocks it."""
    result = check_output(reply, config=config, channel=channel, customer=customer)
    await record_findings(connection=connection, findings=result.findings, run_id=run_id,
                          conversation_id=conversation_id, config_version=config.version)
    return SAFE_OUTPUT_REPLY if result.blocked else result.text
