"""What every rule is: a name, the stages it can watch, its parameters, and a check that returns hits."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, ClassVar

from backend.guardrails.enums import Stage
from backend.guardrails.params import Params


@dataclass(frozen=True)
class TextTurn:
    """A customer message (INPUT) or an agent reply (OUTPUT)."""

    text: str
    stage: Stage
    channel: str | None = None  # OUTPUT only: "SMS", "CHAT" or "VOICE"
    customer: str | None = None  # OUTPUT only: the customer's own identifier, e.g. their phone in E.164


@dataclass(frozen=True)
class ToolCall:
    """A tool call the agent wants to make, with what the rules need to judge it."""

    name: str
    arguments: Mapping[str, Any]
    json_schema: Mapping[str, Any]
    now: datetime  # aware, in the business's time zone: opening hours are read in it
    hours: Mapping[int, tuple[time, time]]  # weekday (0 = Monday) -> (opens, closes); missing days are closed
    slot_start: datetime | None  # a call with a slot_id argument (it books that slot): its start, if known


@dataclass(frozen=True)
class Hit:
    """One place a rule fired; the span is in the checked text, and None for the end means "to the end"."""

    message: str  # why, without any raw personal data
    start: int = 0
    end: int | None = None
    replacement: str | None = None  # what a REDACT action puts in place of the span


class Rule(ABC):
    name: ClassVar[str]
    stages: ClassVar[frozenset[Stage]]
    # Only rules that can say what to put in a span's place may be configured with REDACT.
    redacts: ClassVar[bool] = False

    @classmethod
    @abstractmethod
    def from_params(cls, params: Params) -> Rule:
        """The rule with its configured parameters; unknown or ill-typed ones raise GuardrailConfigError."""


class TextRule(Rule):
    @abstractmethod
    def check(self, turn: TextTurn) -> list[Hit]:
        """Where the text breaks this rule."""


class ToolRule(Rule):
    @abstractmethod
    def check(self, call: ToolCall) -> list[Hit]:
        """Why the tool call breaks this rule."""


def without_overlaps(hits: list[Hit], *, length: int) -> list[Hit]:
    """The hits in reading order, dropping any that overlaps an earlier (or longer, same-start) one."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda found: (found.start, -(found.end or length))):
        if not kept or hit.start >= (kept[-1].end or length):
            kept.append(hit)
    return kept
