"""Batch loads for agent runs, their tool calls and the messages they answer and write, in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from tortoise import connections

from backend.agent.models import AgentRun, ToolCall
from backend.conversations.models import Message
from backend.db.lookup import rows_by_id


async def load_agent_runs_by_id(ids: Sequence[uuid.UUID]) -> list[AgentRun | None]:
    """Runs in the order of `ids`, None where there is no such run."""
    return await rows_by_id(AgentRun.all(), ids)


async def load_tool_calls_by_run(run_ids: Sequence[uuid.UUID]) -> list[list[ToolCall]]:
    """Each run's tool calls in the order they were made, in one query for all runs."""
    grouped: dict[uuid.UUID, list[ToolCall]] = {run_id: [] for run_id in run_ids}
    for call in await ToolCall.filter(run_id__in=list(run_ids)).order_by("run_id", "position"):
        grouped[call.run_id].append(call)  # type: ignore[attr-defined]
    return [grouped[run_id] for run_id in run_ids]


async def load_messages_by_id(ids: Sequence[uuid.UUID]) -> list[Message | None]:
    """Messages (a run's trigger and reply) in the order of `ids`, None where there is no such message."""
    return await rows_by_id(Message.all(), ids)


RecentRunsKey = tuple[uuid.UUID, int]  # (conversation id, how many of its newest runs)


async def load_recent_runs(keys: Sequence[RecentRunsKey]) -> list[list[AgentRun]]:
    """Each conversation's newest runs, newest first; one window query per distinct size for all threads."""
    recent: dict[RecentRunsKey, list[AgentRun]] = {}
    by_size: dict[int, list[uuid.UUID]] = {}
    for conversation_id, size in keys:
        by_size.setdefault(size, []).append(conversation_id)
    for size, conversation_ids in by_size.items():
        _, numbered = await connections.get("default").execute_query(
            "SELECT id FROM (SELECT id, row_number() OVER"
            " (PARTITION BY conversation_id ORDER BY created_at DESC, id DESC) AS position"
            " FROM agent_runs WHERE conversation_id = ANY($1::uuid[])) numbered WHERE position <= $2",
            [conversation_ids, size],
        )
        rows = await AgentRun.filter(id__in=[row["id"] for row in numbered]).order_by("-created_at", "-id")
        grouped: dict[uuid.UUID, list[AgentRun]] = {
            conversation_id: [] for conversation_id in conversation_ids
        }
        for run in rows:
            grouped[run.conversation_id].append(run)  # type: ignore[attr-defined]
        for conversation_id, runs in grouped.items():
            recent[(conversation_id, size)] = runs
    return [recent[key] for key in keys]
