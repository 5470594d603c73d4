"""Dead letters: events that failed every attempt, with their errors; replay one, or all matching the filter.

The list follows the live feed: it is read again when the count of dead letters in the live metrics changes
(an event died, or was replayed anywhere), and when the conversation of a replayed event still in flight
changes (it was processed).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report

LETTER_FIELDS = """
  id errorType errorMessage attempts firstFailedAt deadAt replayedAt replayCount tracebackSummary
  event { channel sender text status }
"""
DEAD_LETTERS = f"""
query DeadLetters($filter: DeadLetterFilter) {{
  deadLetters(first: 50, filter: $filter) {{ edges {{ node {{ {LETTER_FIELDS} }} }} }}
  currentMetrics {{ deadLetters }}
}}
"""
LIVE_UPDATES = ("metrics", "conversation")
REPLAY_ONE = f"""
mutation Replay($input: ReplayDeadLetterInput!) {{
  replayDeadLetter(input: $input) {{
    __typename
    ... on ReplayDeadLetterPayload {{ replayed deadLetter {{ {LETTER_FIELDS} }} }}
    ... on NotFoundError {{ message }}
    ... on ValidationError {{ message }}
  }}
}}
"""
REPLAY_MATCHING = (
    "mutation ReplayAll($input: ReplayDeadLettersInput!) { replayDeadLetters(input: $input) { replayed } }"
)
CHANNELS = ["ALL", "SMS", "CHAT", "VOICE"]
REPLAYED = {"Still dead": False, "Replayed": True, "Any": None}
IN_FLIGHT = "RECEIVED"  # a replayed event not yet processed (nor dead again)


def _letter(letter: dict[str, Any]) -> dict[str, Any]:
    event = letter["event"] or {}
    return {
        "id": letter["id"],
        "error_type": letter["errorType"],
        "error": letter["errorMessage"][:300],
        "attempts": letter["attempts"],
        "dead_at": letter["deadAt"][:19].replace("T", " "),
        "replayed": bool(letter["replayedAt"]),
        "replay_count": letter["replayCount"],
        "traceback": letter["tracebackSummary"],
        "channel": event.get("channel", ""),
        "sender": event.get("sender", ""),
        "text": (event.get("text") or "")[:120],
        "event_status": event.get("status", ""),
    }


class DeadLettersState(rx.State):
    letters: list[dict[str, Any]] = []
    channel: str = "ALL"
    replayed: str = "Still dead"
    message: str = ""
    error: str = ""
    # How many events were dead when the list was read (the live metrics' `deadLetters`).
    _dead_count: int = -1

    def _filter(self) -> dict[str, Any]:
        found: dict[str, Any] = {"replayed": REPLAYED[self.replayed]}
        if self.channel != "ALL":
            found["channel"] = self.channel
        return found

    @rx.event
    async def load(self):
        """Read the dead letters matching the filter, then follow them live."""
        if (refused := await self._read()) is not None:
            return refused.answer
        live_feed.watch(self.router.session.client_token, *LIVE_UPDATES, page=DeadLettersState)
        return None

    async def _read(self) -> Refused | None:
        data = await call_or_report(self, DEAD_LETTERS, {"filter": self._filter()})
        if isinstance(data, Refused):
            return data
        self.error = ""
        self.letters = [_letter(edge["node"]) for edge in data["deadLetters"]["edges"]]
        self._dead_count = data["currentMetrics"]["deadLetters"]
        return None

    async def _read_answer(self):
        refused = await self._read()
        return refused.answer if refused is not None else None

    def apply_update(self, kind: str, payload: dict[str, Any]) -> bool:
        """From the live feed: whether the list must be read again (`refresh`), what it shows having
        changed."""
        if kind == "metrics":
            return payload["deadLetters"] != self._dead_count
        return kind == "conversation" and any(
            letter["event_status"] == IN_FLIGHT
            and letter["channel"] == payload["channel"]
            and letter["sender"] == payload["customer"]
            for letter in self.letters
        )

    async def refresh(self) -> None:
        await self._read()

    @rx.event
    async def choose_channel(self, channel: str):
        self.channel = channel
        return await self._read_answer()

    @rx.event
    async def choose_replayed(self, replayed: str):
        self.replayed = replayed
        return await self._read_answer()

    @rx.event
    async def replay(self, letter_id: str):
        """Operators: send one dead letter's event down the path again."""
        data = await call_or_report(
            self, REPLAY_ONE, {"input": {"deadLetterId": letter_id}}, report="message"
        )
        if isinstance(data, Refused):
            return data.answer
        result = data["replayDeadLetter"]
        if result["__typename"] != "ReplayDeadLetterPayload":
            self.message = result["message"]
            return None
        updated = _letter(result["deadLetter"])
        self.letters = [updated if letter["id"] == letter_id else letter for letter in self.letters]
        self.message = (
            "Replayed: a worker is processing it." if result["replayed"] else "It was already replayed."
        )
        return None

    @rx.event
    async def replay_matching(self):
        """Operators: replay every dead letter the filter shows."""
        data = await call_or_report(
            self, REPLAY_MATCHING, {"input": {"filter": self._filter()}}, report="message"
        )
        if isinstance(data, Refused):
            return data.answer
        self.message = f"Replayed {data['replayDeadLetters']['replayed']} dead letter(s)."
        return await self._read_answer()


def _row(letter: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(letter["dead_at"], size="1")),
        rx.table.cell(rx.badge(letter["channel"], variant="outline")),
        rx.table.cell(
            rx.text(letter["sender"], size="2"), rx.text(letter["text"], size="1", color_scheme="gray")
        ),
        rx.table.cell(
            rx.text(rx.code(letter["error_type"]), " ", letter["error"], size="2"),
            rx.accordion.root(
                rx.accordion.item(
                    header="Traceback",
                    content=rx.code_block(letter["traceback"].to(str), language="python", font_size="11px"),
                ),
                collapsible=True,
                type="single",
                variant="ghost",
            ),
        ),
        rx.table.cell(letter["attempts"]),
        rx.table.cell(
            rx.badge(letter["event_status"], class_name="event-status"),
            rx.cond(letter["replayed"], rx.text("replayed ×", letter["replay_count"], size="1")),
        ),
        rx.table.cell(
            rx.cond(
                AuthState.can_operate,
                rx.button(
                    "Replay",
                    size="1",
                    variant="soft",
                    on_click=DeadLettersState.replay(letter["id"]),
                    disabled=letter["replayed"].to(bool),
                    class_name="replay-one",
                ),
            )
        ),
        class_name="dead-letter-row",
        data_dead_letter_id=letter["id"],
    )


def dead_letters_page() -> rx.Component:
    return page_frame(
        "Dead letters",
        rx.hstack(
            rx.text("Channel", size="2"),
            rx.select(CHANNELS, value=DeadLettersState.channel, on_change=DeadLettersState.choose_channel),
            rx.text("Show", size="2"),
            rx.select(
                list(REPLAYED),
                value=DeadLettersState.replayed,
                on_change=DeadLettersState.choose_replayed,
                id="dead-letters-replayed",
            ),
            # Hidden from viewers; the API refuses them anyway (scope `operate`).
            rx.cond(
                AuthState.can_operate,
                rx.button(
                    "Replay all shown",
                    color_scheme="amber",
                    on_click=DeadLettersState.replay_matching,
                    disabled=DeadLettersState.letters.length() == 0,
                    id="replay-matching",
                ),
            ),
            rx.text(DeadLettersState.message, size="2", color_scheme="gray", id="dead-letters-message"),
            align="center",
        ),
        error_callout(DeadLettersState.error),
        rx.card(
            data_table(
                (
                    "Dead at (UTC)",
                    "Channel",
                    "Customer",
                    "Error",
                    "Attempts",
                    "Event",
                    "",
                ),
                DeadLettersState.letters,
                _row,
                body_id="dead-letter-list",
                empty="No dead letters.",
            ),
            width="100%",
        ),
    )
