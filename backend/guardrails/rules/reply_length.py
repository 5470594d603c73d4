"""Replies longer than their channel allows: SMS by segments (what the business pays for), chat and voice by
characters (what a customer will read on a small widget or sit through when it is spoken)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.params import Params
from backend.guardrails.rules.base import Hit, TextRule, TextTurn
from backend.guardrails.sms import sms_size

CHANNELS = ("SMS", "CHAT", "VOICE")


@dataclass(frozen=True)
class ReplyLength(TextRule):
    name: ClassVar[str] = "reply_length"
    stages: ClassVar[frozenset[Stage]] = frozenset({Stage.OUTPUT})

    max_sms_segments: int
    max_chat_chars: int
    max_voice_chars: int

    @classmethod
    def from_params(cls, params: Params) -> ReplyLength:
        return cls(
            max_sms_segments=params.integer("max_sms_segments", default=3, minimum=1),
            max_chat_chars=params.integer("max_chat_chars", default=1000, minimum=1),
            max_voice_chars=params.integer("max_voice_chars", default=600, minimum=1),
        )

    def check(self, turn: TextTurn) -> list[Hit]:
        channel = (turn.channel or "").upper()
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {turn.channel!r} (expected one of {', '.join(CHANNELS)})")
        if channel == "SMS":
            size = sms_size(turn.text)
            if size.segments <= self.max_sms_segments:
                return []
            why = f" because of {size.first_non_gsm!r}" if size.first_non_gsm else ""
            return [
                Hit(
                    message=f"SMS reply needs {size.segments} segments ({size.encoding}{why}, {size.units} "
                    "units); "
                    f"the limit is {self.max_sms_segments}"
                )
            ]
        limit = self.max_chat_chars if channel == "CHAT" else self.max_voice_chars
        if len(turn.text) <= limit:
            return []
        return [Hit(message=f"{channel.lower()} reply is {len(turn.text)} characters; the limit is {limit}")]
