"""Overview's state: KPIs and recent conversations, loaded once per visit and then pushed by the live feed."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.live.documents import CONVERSATION_FIELDS, METRICS_FIELDS
from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.views.formatting import detail_href, synthetic_flag

FEED_SIZE = 12
OVERVIEW_UPDATES = ("conversation", "metrics")
SPARKLINE_POINTS = 30

OVERVIEW = f"""
query Overview($first: Int!) {{
  currentMetrics {{ {METRICS_FIELDS} }}
  conversations(first: $first) {{ edges {{ node {{ {CONVERSATION_FIELDS} }} }} }}
}}
"""
REPLAY_DEAD_LETTERS = "mutation { replayDeadLetters(input: {}) { replayed } }"


def _feed_row(conversation: dict[str, Any]) -> dict[str, str]:
    last = conversation.get("lastMessage") or {}
    return {
        "id": conversation["id"],
        "href": detail_href("conversations", conversation["id"]),
        "channel": conversation["channel"],
        "customer": conversation["customer"],
        "status": conversation["status"],
        "messages": str(conversation["messageCount"]),
        "last_text": (last.get("text") or "")[:140],
        "last_at": conversation["lastMessageAt"],
        "time": conversation["lastMessageAt"][11:19],
        "synthetic": synthetic_flag(conversation.get("synthetic")),
    }


class OverviewState(rx.State):
    metrics: dict[str, Any] = {}
    history: list[dict[str, Any]] = []
    conversations: list[dict[str, str]] = []
    error: str = ""
    action_message: str = ""

    @rx.event
    async def load(self):
        """Read the current figures with the user's token, then join the live feed."""
        auth = await self.get_state(AuthState)
        if not auth.has_session:
            return None
        data = await call_or_report(self, OVERVIEW, {"first": FEED_SIZE})
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.history = []
        self.apply_metrics(data["currentMetrics"])
        self.conversations = [_feed_row(edge["node"]) for edge in data["conversations"]["edges"]]
        live_feed.watch(self.router.session.client_token, *OVERVIEW_UPDATES, page=OverviewState)
        return None

    def apply_update(self, kind: str, payload: dict[str, Any]) -> None:
        """One update from the live feed."""
        if kind == "metrics":
            self.apply_metrics(payload)
        elif kind == "conversation":
            self.apply_conversation(payload)

    def apply_metrics(self, values: dict[str, Any]) -> None:
        self.metrics = values
        self.history = [*self.history, values][-SPARKLINE_POINTS:]

    def apply_conversation(self, conversation: dict[str, Any]) -> None:
        row = _feed_row(conversation)
        others = [existing for existing in self.conversations if existing["id"] != row["id"]]
        self.conversations = sorted([row, *others], key=lambda item: item["last_at"], reverse=True)[
            :FEED_SIZE
        ]

    @rx.event
    async def replay_dead_letters(self):
        """Operators: send every dead letter through processing again."""
        data = await call_or_report(self, REPLAY_DEAD_LETTERS, report="action_message")
        if isinstance(data, Refused):
            return data.answer
        self.action_message = f"Replayed {data['replayDeadLetters']['replayed']} dead letter(s)."
        return None

    @rx.var
    def turns_per_minute(self) -> str:
        return f"{self.metrics.get('turnsPerMinute', 0):.1f}" if self.metrics else "–"

    @rx.var
    def latency_p95(self) -> str:
        value = self.metrics.get("latencyP95Ms")
        return f"{value:.0f} ms" if value is not None else "–"

    @rx.var
    def failure_rate(self) -> str:
        return f"{100 * self.metrics.get('failureRate', 0):.1f}%" if self.metrics else "–"

    @rx.var
    def handoff_rate(self) -> str:
        return f"{100 * self.metrics.get('handoffRate', 0):.1f}%" if self.metrics else "–"

    @rx.var
    def open_incidents(self) -> str:
        return str(self.metrics.get("openIncidents", "–"))

    @rx.var
    def queue_depth(self) -> str:
        return str(self.metrics.get("queueDepth", "–"))

    @rx.var
    def dead_letters(self) -> str:
        return str(self.metrics.get("deadLetters", "–"))

    @rx.var
    def has_dead_letters(self) -> bool:
        return bool(self.metrics.get("deadLetters"))

    @rx.var
    def window_label(self) -> str:
        seconds = self.metrics.get("windowSeconds")
        return f"last {seconds // 60} min" if seconds else ""
