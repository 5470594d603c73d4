"""What bench/agent.py's phases read back from the database: a phase's turns summed up, and each latency
event's stamps."""

from __future__ import annotations

import asyncpg


async def turn_summary(dsn: str, pattern: str) -> dict:
    """What the turns of a phase did, from the database."""
    connection = await asyncpg.connect(dsn)
    try:
        scope = (
            "FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
            " LEFT JOIN agent_runs r ON r.trigger_message_id = i.id"
            " LEFT JOIN messages m ON m.id = r.reply_message_id WHERE e.idempotency_key LIKE $1"
        )
        events, runs, replies, span, turn_p50, turn_p95 = await connection.fetchrow(
            "SELECT count(*), count(r.id), count(m.id),"
            " extract(epoch FROM max(m.created_at) - min(e.received_at))::float8,"
            " percentile_cont(0.5) WITHIN GROUP (ORDER BY r.latency_ms),"
            f" percentile_cont(0.95) WITHIN GROUP (ORDER BY r.latency_ms) {scope}",
            pattern,
        )
        statuses = dict(await connection.fetch(f"SELECT r.status, count(*) {scope} GROUP BY 1", pattern))
        intents = dict(
            await connection.fetch(f"SELECT r.intent, count(*) {scope} GROUP BY 1 ORDER BY 2 DESC", pattern)
        )
        calls = scope.replace(" WHERE", " JOIN tool_calls t ON t.run_id = r.id WHERE")
        tools = dict(
            await connection.fetch(f"SELECT t.name, count(*) {calls} GROUP BY 1 ORDER BY 2 DESC", pattern)
        )
        booked = await connection.fetchval(
            f"SELECT count(*) {calls} AND t.name = 'book_appointment' AND (t.result ->> 'booked')::boolean",
            pattern,
        )
    finally:
        await connection.close()
    return {
        "events": events,
        "runs": runs,
        "replies": replies,
        "span": span or 0,
        "turn_p50": turn_p50 or 0,
        "turn_p95": turn_p95 or 0,
        "statuses": statuses,
        "intents": intents,
        "tools": tools,
        "booked": booked,
    }


async def latency_rows(dsn: str, pattern: str) -> list:
    """Per event of a latency phase: its key, when it was inserted and processed, its run and turn time, and
    when the reply row was written (epoch seconds, the client's clock: same machine)."""
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetch(
            "SELECT e.idempotency_key, extract(epoch FROM e.received_at)::float8,"
            " extract(epoch FROM e.processed_at)::float8, r.id, r.latency_ms,"
            " extract(epoch FROM m.created_at)::float8"
            " FROM ingest_events e JOIN messages i ON i.ingest_event_id = e.id"
            " LEFT JOIN agent_runs r ON r.trigger_message_id = i.id"
            " LEFT JOIN messages m ON m.id = r.reply_message_id WHERE e.idempotency_key LIKE $1",
            pattern,
        )
    finally:
        await connection.close()
