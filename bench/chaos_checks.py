"""The chaos bench's checks: wait until everything accepted is decided, replay the dead, then count what must
be zero (loss, duplicates at the provider, replies silently left behind, order) and what is worth knowing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import asyncpg
import httpx

REPLAY = "mutation { replayDeadLetters(input: {}) { __typename } }"


async def settle(dsn: str, accepted: set, stalled_after: float) -> bool:
    """Wait until every accepted event is final and every reply's delivery is decided, for as long as that
    number keeps falling; False once it has not fallen for `stalled_after` seconds (the figures then say what
    was left: work that stopped moving is work lost, a backlog still draining is not)."""
    connection = await asyncpg.connect(dsn)
    best, last_progress = None, time.monotonic()
    try:
        while time.monotonic() - last_progress < stalled_after:
            pending = await connection.fetchval(
                "SELECT count(*) FROM ingest_events WHERE status = 'RECEIVED' AND idempotency_key = ANY($1)",
                list(accepted),
            )
            undecided = await connection.fetchval(
                "SELECT count(*) FROM messages WHERE delivery_status IN ('QUEUED', 'SENDING')"
            )
            if not pending and not undecided:
                return True
            if best is None or pending + undecided < best:
                best, last_progress = pending + undecided, time.monotonic()
            await asyncio.sleep(0.5)
        print(
            f"  stalled for {stalled_after:.0f} s: {pending} event(s) RECEIVED, {undecided} reply(ies) "
            "undecided"
        )
        return False
    finally:
        await connection.close()


async def check(dsn: str, accepted: set, provider: dict) -> dict:
    connection = await asyncpg.connect(dsn)
    delivered, received = Counter(provider["delivered"]), Counter(provider["received"])
    try:
        replies = {
            row["id"]: row["delivery_status"]
            for row in await connection.fetch(
                "SELECT id::text, delivery_status FROM messages WHERE direction = 'OUTBOUND'"
            )
        }
        by_status = Counter(replies.values())
        rows = await connection.fetch(
            "SELECT idempotency_key, status FROM ingest_events WHERE idempotency_key = ANY($1)",
            list(accepted),
        )
        status = Counter(row["status"] for row in rows)
        figures = {
            "accepted": len(accepted),
            "processed": status["PROCESSED"],
            "dead": status["DEAD"],
            "lost": len(accepted) - len(rows),
            "not final": status["RECEIVED"],
            "duplicate inbound messages": await connection.fetchval(
                "SELECT count(*) FROM (SELECT ingest_event_id FROM messages WHERE direction = 'INBOUND'"
                " GROUP BY 1 HAVING count(*) > 1) d"
            ),
            "processed events without a message": await connection.fetchval(
                "SELECT count(*) FROM ingest_events e WHERE status = 'PROCESSED'"
                " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.ingest_event_id = e.id)"
            ),
            "messages answered twice": await connection.fetchval(
                "SELECT count(*) FROM (SELECT trigger_message_id FROM agent_runs WHERE trigger_message_id "
                "IS NOT NULL"
                " GROUP BY 1 HAVING count(*) > 1) d"
            ),
            "slots booked twice": await connection.fetchval(
                "SELECT count(*) FROM (SELECT slot_id FROM bookings WHERE status = 'CONFIRMED'"
                " GROUP BY 1 HAVING count(*) > 1) d"
            ),
            "bookings": await connection.fetchval("SELECT count(*) FROM bookings"),
            # A turn retried after a kill must reuse what its first attempt booked or opened, never make
            # another: an effect no committed run answered with is one made twice.
            "bookings no committed run made": await connection.fetchval(
                "SELECT count(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM tool_calls c"
                " WHERE c.result->>'booking_id' = b.id::text)"
            ),
            "tickets no committed run opened": await connection.fetchval(
                "SELECT count(*) FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM tool_calls c"
                " WHERE c.result->>'ticket_id' = t.id::text)"
            ),
            "tickets": await connection.fetchval("SELECT count(*) FROM tickets"),
            "replies": len(replies),
            "replies sent": by_status["SENT"],
            "replies failed (never reached the provider)": by_status["FAILED"],
            "replies uncertain (left to an operator)": by_status["UNCERTAIN"],
            "replies left QUEUED or SENDING (silently lost)": by_status["QUEUED"] + by_status["SENDING"],
            "replies delivered twice at the provider": sum(1 for count in delivered.values() if count > 1),
            "SENT replies the provider never got": sum(
                1 for message_id, status in replies.items() if status == "SENT" and not delivered[message_id]
            ),
            "FAILED replies the provider delivered": sum(
                1 for message_id, status in replies.items() if status == "FAILED" and delivered[message_id]
            ),
            "uncertain replies the provider had delivered": sum(
                1 for message_id, status in replies.items() if status == "UNCERTAIN" and delivered[message_id]
            ),
            "sends repeated under the same Idempotency-Key (absorbed)": sum(
                count - delivered[key] for key, count in received.items() if count > delivered[key]
            ),
            "SMS looked up in the provider's Messages list": provider["lookups"],
            "conversations out of order": await connection.fetchval(
                "SELECT count(DISTINCT conversation_id) FROM (SELECT m.conversation_id, e.accepted_seq,"
                " lag(e.accepted_seq) OVER (PARTITION BY m.conversation_id ORDER BY m.sequence) AS previous"
                " FROM messages m JOIN ingest_events e ON e.id = m.ingest_event_id) o"
                " WHERE previous > accepted_seq"
            ),
        }
    finally:
        await connection.close()
    return figures


MUST_BE_ZERO = (
    "lost",
    "not final",
    "duplicate inbound messages",
    "processed events without a message",
    "messages answered twice",
    "slots booked twice",
    "bookings no committed run made",
    "tickets no committed run opened",
    "replies left QUEUED or SENDING (silently lost)",
    "replies delivered twice at the provider",
    "SENT replies the provider never got",
    "FAILED replies the provider delivered",
    "conversations out of order",
)


async def replay_dead(url: str, key: str, dsn: str) -> int:
    """DEAD events must be replayable: replay them all and wait until they are processed."""
    connection = await asyncpg.connect(dsn)
    try:
        dead = await connection.fetchval("SELECT count(*) FROM ingest_events WHERE status = 'DEAD'")
        if not dead:
            return 0
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
            await http.post(url, json={"query": REPLAY})
        deadline = time.monotonic() + 60
        while await connection.fetchval("SELECT count(*) FROM ingest_events WHERE status <> 'PROCESSED'"):
            if time.monotonic() > deadline:
                raise RuntimeError("replayed dead letters were not processed within 60 s")
            await asyncio.sleep(0.5)
        return dead
    finally:
        await connection.close()
