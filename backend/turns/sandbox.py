"""A sandboxed turn, shared by the playground and the evals: the real agent, tools and tables, in one
transaction.

Inside `sandbox()` every read and write of the turn — tool effects included, as savepoints — goes through that
one transaction, so a dry run or an eval case is rolled back as a whole and leaves nothing behind. (This is
the one place a connection is held across model calls: the isolation *is* the transaction. Eval concurrency is
bounded.)
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from backend.agent.setup import AgentSetup
from backend.conversations.models import Message, MessageAuthor, MessageDirection
from backend.conversations.service import append_message
from backend.turns.runtime import TurnOutcome, run_turn


class _RollBack(Exception):
    """Raised to undo the sandbox's writes once its results are read."""


@contextlib.asynccontextmanager
async def sandbox(*, keep: bool = False) -> AsyncIterator[BaseDBAsyncClient]:
    """One transaction for the block; rolled back at the end unless `keep`."""
    try:
        async with in_transaction() as connection:
            yield connection
            if not keep:
                raise _RollBack
    except _RollBack:
        pass


async def sandboxed_turn(
    *,
    conversation_id: uuid.UUID,
    text: str,
    setup: AgentSetup,
    author: MessageAuthor = MessageAuthor.CUSTOMER,
    now: datetime | None = None,
    tool_overrides: dict[str, dict] | None = None,
    deliver: bool = False,
) -> tuple[Message, TurnOutcome | None]:
    """Append `text` as `author`'s message and answer it, inside the current sandbox; the message and the
    outcome."""
    # One statement: it needs no savepoint of its own (the sandbox's transaction is the connection in
    # context).
    inbound = await append_message(
        connection=connections.get("default"),
        conversation_id=conversation_id,
        direction=MessageDirection.INBOUND,
        author=author,
        text=text,
    )
    outcome = await run_turn(
        conversation_id=conversation_id,
        text=text,
        setup=setup,
        trigger_message_id=inbound.id,
        now=now,
        tool_overrides=tool_overrides,
        deliver=deliver,
    )
    return inbound, outcome
