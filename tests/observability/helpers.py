"""Turns backdated to a fixed NOW, for SLO burn rates and the incidents they open."""

from datetime import UTC, datetime, timedelta

from backend.agent.models import AgentRun, RunStatus
from backend.conversations.models import Conversation
from backend.core.enums import Channel

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def backdated_runs(*, ago: timedelta, count: int, failed: int) -> None:
    """`count` turns of one conversation recorded `ago` before NOW, the first `failed` of them FAILED."""
    conversation = await Conversation.create(
        channel=Channel.SMS, thread_key=f"slo-{ago}", customer="c", last_message_at=NOW
    )
    for index in range(count):
        run = await AgentRun.create(
            conversation=conversation,
            policy="rules",
            prompt_name="p",
            prompt_version="v1",
            status=RunStatus.FAILED if index < failed else RunStatus.OK,
            latency_ms=100.0,
        )
        await AgentRun.filter(id=run.id).update(created_at=NOW - ago + timedelta(milliseconds=index))
