"""Conversation rows for the Conversations table, and which live updates a filtered table may show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from frontend.views.formatting import clock_time, detail_href, shorten, synthetic_flag

ANY = "ANY"
CHANNELS = [ANY, "SMS", "CHAT", "VOICE"]
STATUSES = [ANY, "OPEN", "HANDED_OFF", "CLOSED"]
HANDED_OFF_CHOICES = {ANY: None, "YES": True, "NO": False}
# label -> how far back "last message" may be
TIME_RANGES: dict[str, timedelta | None] = {
    ANY: None,
    "15 MIN": timedelta(minutes=15),
    "1 HOUR": timedelta(hours=1),
    "24 HOURS": timedelta(hours=24),
    "7 DAYS": timedelta(days=7),
    "30 DAYS": timedelta(days=30),
}


def conversation_row(conversation: dict[str, Any], *, cursor: str = "") -> dict[str, str]:
    """One table row; `cursor` is the API's position of the row ('' for rows pushed by the live feed)."""
    last = conversation.get("lastMessage") or {}
    return {
        "id": conversation["id"],
        "href": detail_href("conversations", conversation["id"]),
        "channel": conversation["channel"],
        "customer": conversation["customer"],
        "status": conversation["status"],
        "messages": str(conversation["messageCount"]),
        "last_text": shorten(last.get("text")),
        "last_at": conversation["lastMessageAt"],
        "time": clock_time(conversation["lastMessageAt"]),
        "synthetic": synthetic_flag(conversation.get("synthetic")),
        "cursor": cursor,
    }


def api_filter(
    *, channel: str, status: str, handed_off: str, time_range: str, text: str, now: datetime | None = None
) -> dict[str, Any]:
    """The ConversationFilter input for the chosen filters (only the ones set)."""
    chosen: dict[str, Any] = {}
    if channel != ANY:
        chosen["channel"] = channel
    if status != ANY:
        chosen["status"] = status
    if HANDED_OFF_CHOICES.get(handed_off) is not None:
        chosen["handedOff"] = HANDED_OFF_CHOICES[handed_off]
    if (window := TIME_RANGES.get(time_range)) is not None:
        chosen["activeAfter"] = ((now or datetime.now(UTC)) - window).isoformat()
    if text.strip():
        chosen["text"] = text.strip()
    return chosen


def live_match(row: dict[str, str], *, channel: str, status: str) -> bool:
    """Whether a pushed conversation passes the filters a row can be checked against."""
    return (channel == ANY or row["channel"] == channel) and (status == ANY or row["status"] == status)


def checkable_live(*, handed_off: str, text: str) -> bool:
    """Whether every filter set can be checked on a pushed row (text and handoff history are not in it)."""
    return handed_off == ANY and not text.strip()
