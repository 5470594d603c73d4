"""The one small interface every policy implements, and what it is given and gives back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, ClassVar

from backend.agent.memory import ThreadItem
from backend.agent.prompts import Prompt
from backend.agent.tools.toolbox import ToolBox
from backend.core.enums import Channel


@dataclass(frozen=True)
class TurnInput:
    text: str
    channel: Channel
    customer: str
    history: list[tuple[str, str]]  # (author, text), oldest first, without the current message
    state: dict[str, Any]  # what earlier turns gathered (see RulesPolicy for its keys)
    now: datetime  # aware, in the business time zone
    services: list[str]
    hours: dict[int, tuple[time, time]]  # weekday → (opens, closes); missing means closed
    prompt: Prompt
    # The thread as a model remembers it: earlier messages with the tool calls each agent reply made, oldest
    # first.
    memory: tuple[ThreadItem, ...] = ()
    # time.monotonic() by which the turn must be decided; model calls are cut short to fit it.
    deadline: float | None = None


@dataclass
class Decision:
    reply: str
    state: dict[str, Any] = field(default_factory=dict)
    intent: str | None = None
    model: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Policy(ABC):
    name: ClassVar[str]

    @abstractmethod
    async def respond(self, turn: TurnInput, tools: ToolBox) -> Decision:
        """Decide this turn, calling tools through `tools` (each call is recorded)."""
