"""The golden case format (fixtures/goldens/<suite>/<case>.yaml), validated so a typo fails loudly."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.core.enums import Channel
from backend.quality.definitions import EvaluatorNotFound, load_evaluator, parse_selection

# Every case runs at this moment (a Monday morning, business-local) so "tomorrow" means the same every run.
EVAL_TIMEZONE = "America/New_York"
EVAL_NOW = datetime(2030, 1, 7, 9, 0, tzinfo=ZoneInfo(EVAL_TIMEZONE))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ToolExpectation(_Strict):
    name: str
    args: dict[str, Any] = Field(default_factory=dict)  # subset; a value may be {"matches": regex}


class EvaluatorExpectation(_Strict):
    """What an evaluator (fixtures/evaluators) must say about a turn: a score bound and/or a label."""

    min_score: float | None = Field(default=None, ge=0, le=1)
    max_score: float | None = Field(default=None, ge=0, le=1)
    label: str | None = None


def _known_evaluators(value: dict[str, EvaluatorExpectation]) -> dict[str, EvaluatorExpectation]:
    """Keys are evaluator names, "name@version" to pin one: each must be a file under fixtures/evaluators."""
    for key in value:
        try:
            ((name, version),) = parse_selection(key)
            load_evaluator(name, version)
        except (ValueError, EvaluatorNotFound) as error:
            raise ValueError(f"evaluators: {error}") from None
    return value


class TurnExpectation(_Strict):
    tools: list[ToolExpectation] = Field(default_factory=list)
    not_tools: list[str] = Field(default_factory=list)
    reply_contains: list[str] = Field(default_factory=list)
    reply_not_contains: list[str] = Field(default_factory=list)
    reply_matches: str | None = None
    handoff: bool | None = None
    violations: list[str] | None = None  # None: not checked; []: none may fire
    silent: bool | None = None
    # Evaluators that must score this turn as stated (a turn an evaluator does not apply to is a miss here).
    evaluators: dict[str, EvaluatorExpectation] = Field(default_factory=dict)

    _evaluators_exist = field_validator("evaluators")(_known_evaluators)


class GoldenTurn(_Strict):
    customer: str = Field(min_length=1)
    tool_results: dict[str, dict[str, Any]] = Field(default_factory=dict)
    expect: TurnExpectation = Field(default_factory=TurnExpectation)


class ExpectedBooking(_Strict):
    service: str
    date: date
    time: time
    name: str | None = None


class GivenBooking(_Strict):
    """A booking that exists before the first turn (made in an earlier conversation of its customer)."""

    service: str
    date: date
    time: time
    name: str
    staff: str | None = None  # whose slot; the first free one at that time when omitted
    customer: str | None = (
        None  # whose booking; the case's customer when omitted (another's just holds the slot)
    )


class Given(_Strict):
    bookings: list[GivenBooking] = Field(default_factory=list, max_length=10)


class FinalExpectation(_Strict):
    booking: ExpectedBooking | Literal["none"] | None = None
    tickets: int | None = None
    bookings: int | None = Field(
        default=None, ge=0
    )  # the customer's upcoming confirmed bookings, any conversation
    given: list[Literal["confirmed", "cancelled"]] | None = (
        None  # what became of each given booking, in order
    )


class GoldenCase(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,118}$")
    description: str = ""
    channel: Channel = Channel.SMS
    customer: str = "+15550001111"
    given: Given | None = None
    turns: list[GoldenTurn] = Field(min_length=1, max_length=20)
    final: FinalExpectation | None = None
    known_gap: str | None = None
    # A case made from a real conversation replays at that conversation's time (its replies name those days).
    now: datetime | None = None
    # Evaluators every turn must satisfy wherever they apply (e.g. backed_claims: {min_score: 1}).
    evaluators: dict[str, EvaluatorExpectation] = Field(default_factory=dict)

    _evaluators_exist = field_validator("evaluators")(_known_evaluators)

    @model_validator(mode="after")
    def _one_outcome_per_given_booking(self) -> GoldenCase:
        given = len(self.given.bookings) if self.given else 0
        if self.final and self.final.given is not None and len(self.final.given) != given:
            raise ValueError(
                f"final.given lists {len(self.final.given)} outcome(s) for {given} given booking(s)"
            )
        return self

    @property
    def clock(self) -> datetime:
        return (self.now or EVAL_NOW).astimezone(ZoneInfo(EVAL_TIMEZONE))
