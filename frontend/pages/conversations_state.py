"""The Conversations table's state: filters, cursor pages, and rows kept current by the shared live feed."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.live.documents import CONVERSATION_FIELDS
from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report
from frontend.state.paging import CursorPages
from frontend.views.conversations import ANY, api_filter, checkable_live, conversation_row, live_match

CONVERSATIONS = f"""
query Conversations($first: Int!, $after: String, $filter: ConversationFilter) {{
  conversations(first: $first, after: $after, filter: $filter) {{
    edges {{ cursor node {{ {CONVERSATION_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""


class ConversationsState(CursorPages, rx.State):
    channel: str = ANY
    status: str = ANY
    handed_off: str = ANY
    time_range: str = ANY
    text: str = ""
    # Pushed changes this page cannot place (a later page, or filters a pushed row cannot be checked against).
    unseen_changes: int = 0

    @rx.event
    async def load(self):
        """First page with the current filters, then live updates for this tab."""
        if not (await self.get_state(AuthState)).has_session:
            return None
        live_feed.watch(self.router.session.client_token, "conversation", page=ConversationsState)
        return await self._fetch(trail=[])

    @rx.event
    async def set_filter(self, name: str, value: str):
        """A select changed: back to the first page with the new filter."""
        if name in ("channel", "status", "handed_off", "time_range"):
            setattr(self, name, value)
        return await self._fetch(trail=[])

    @rx.event
    async def search(self, form: dict[str, str]):
        self.text = form.get("text", "")
        return await self._fetch(trail=[])

    async def _fetch(self, *, trail: list[str]):
        auth = await self.get_state(AuthState)
        if not auth.has_session:
            return None
        chosen = api_filter(
            channel=self.channel,
            status=self.status,
            handed_off=self.handed_off,
            time_range=self.time_range,
            text=self.text,
        )
        data = await call_or_report(self, CONVERSATIONS, self._page_variables(trail=trail, chosen=chosen))
        if isinstance(data, Refused):
            return data.answer
        self.unseen_changes = 0
        self._show_page(data["conversations"], trail=trail, row=conversation_row)
        return None

    def apply_update(self, kind: str, payload: dict[str, Any]) -> None:
        """A conversation changed somewhere: update its row, or place it, or count it for a refresh."""
        if kind != "conversation":
            return
        row = conversation_row(payload)
        shown = next((index for index, existing in enumerate(self.rows) if existing["id"] == row["id"]), None)
        matches = live_match(row, channel=self.channel, status=self.status)
        if shown is not None:
            row["cursor"] = self.rows[shown]["cursor"]
            others = [existing for existing in self.rows if existing["id"] != row["id"]]
            if not matches:
                self.rows = others  # e.g. it was handed off while the table shows OPEN only
            elif self.page_number == 1:
                self.rows = [row, *others]  # newest activity first, as the API orders them
            else:
                self.rows = [row if existing["id"] == row["id"] else existing for existing in self.rows]
            return
        if not matches:
            return
        if self.page_number == 1 and checkable_live(handed_off=self.handed_off, text=self.text):
            self._place_on_first_page(row)
        else:
            self.unseen_changes += 1

    def _place_on_first_page(self, row: dict[str, str]) -> None:
        rows = [row, *self.rows]
        size = int(self.page_size)
        if len(rows) > size:
            rows = rows[:size]
            self.has_next = True
            # The next page starts after the last row the API placed; pushed rows carry no cursor.
            self._end_cursor = next(
                (kept["cursor"] for kept in reversed(rows) if kept["cursor"]), self._end_cursor
            )
        self.rows = rows

    @rx.var
    def filtered(self) -> bool:
        return any(
            value != ANY for value in (self.channel, self.status, self.handed_off, self.time_range)
        ) or bool(self.text.strip())
