"""SLOs from infra/slo.yaml: error budget left and multiwindow burn rates, computed from the agent runs (and,
for quality objectives, from the evaluators' scores of sampled turns).

Burn rate over a window = (bad turns / turns in the window) / (1 − objective): 1 spends the budget exactly
over the period. An alert fires when both its long and its short window burn at least its rate (the short
window makes it stop soon after the problem does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from tortoise import connections

from backend.quality.definitions import EvaluatorNotFound, load_evaluator
from backend.settings import PROJECT_ROOT

SLO_FILE = PROJECT_ROOT / "infra" / "slo.yaml"


class Objective(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    description: str = ""
    objective: float = Field(gt=0, lt=1)
    period_days: float = Field(gt=0)
    bad: str = Field(pattern="^(failed|handed_off|slow|quality)$")
    threshold_ms: float | None = None
    # bad: quality — the turns counted are those an evaluator scored (fixtures/evaluators); a score below
    # `below` (default: the evaluator's pass_at) spends the budget.
    evaluator: str | None = None
    below: float | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _quality_names_an_evaluator(self) -> Objective:
        if (self.bad == "quality") != (self.evaluator is not None):
            raise ValueError("`evaluator` is required with `bad: quality`, and only with it")
        if self.below is not None and self.bad != "quality":
            raise ValueError("`below` applies only to `bad: quality`")
        if self.evaluator is not None:
            try:
                evaluator = load_evaluator(self.evaluator)
            except EvaluatorNotFound as error:
                raise ValueError(str(error)) from None
            if self.below is None:
                self.below = evaluator.pass_at
        return self


class AlertRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    severity: str = Field(pattern="^(page|ticket)$")
    long_window: str
    short_window: str
    burn_rate: float = Field(gt=0)


class SloFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    slos: list[Objective]
    alerts: list[AlertRule]


def parse_window(text: str) -> timedelta:
    """ "5m", "1h", "3d" as a duration."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd])", text.strip())
    if not match:
        raise ValueError(f"bad window {text!r} (use e.g. 5m, 1h, 3d)")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
    return timedelta(**{unit: float(match.group(1))})


def load_slos(path: Path = SLO_FILE) -> SloFile:
    return SloFile.model_validate(yaml.safe_load(path.read_text()))


@dataclass(frozen=True)
class BurnRate:
    window: str
    rate: float


@dataclass(frozen=True)
class FiringAlert:
    severity: str
    long_window: str
    short_window: str
    threshold: float


@dataclass(frozen=True)
class SloStatus:
    name: str
    description: str
    objective: float
    budget_remaining: float  # 1 = untouched, 0 = spent, negative = overspent
    burn_rates: list[BurnRate]
    firing: list[FiringAlert]
    evaluator: str | None = None  # a quality SLO's evaluator; None for the reliability SLOs


def bad_turn_condition(slo: Objective, *, parameter: int) -> tuple[str, list[float]]:
    """SQL (over agent_runs columns) true for a turn that spends this SLO's budget, and its parameters.

    `parameter` is the number of the first placeholder the condition may use ($n).
    """
    if slo.bad == "failed":
        return "status = 'FAILED'", []
    if slo.bad == "handed_off":
        return "status = 'HANDED_OFF'", []
    return f"latency_ms > ${parameter}", [slo.threshold_ms or 0]


def counted_turns(slo: Objective, *, parameter: int) -> tuple[str, list]:
    """SQL of the turns this SLO counts, as (conversation_id, created_at, bad) rows, and its parameters.

    Agent runs for the reliability SLOs; for a quality SLO, the turns its evaluator scored (a skipped judge
    call counts neither way), at the time each score was written. `parameter` is the first placeholder it may
    use.
    """
    if slo.bad == "quality":
        return (
            f"SELECT conversation_id, created_at, score < ${parameter + 1} AS bad FROM eval_scores"
            f" WHERE evaluator = ${parameter} AND score IS NOT NULL",
            [slo.evaluator, slo.below],
        )
    condition, parameters = bad_turn_condition(slo, parameter=parameter)
    return f"SELECT conversation_id, created_at, {condition} AS bad FROM agent_runs", parameters


async def _bad_fraction(slo: Objective, *, since: datetime, until: datetime) -> float | None:
    turns, parameters = counted_turns(slo, parameter=3)
    rows = await connections.get("default").execute_query_dict(
        f"SELECT count(*) AS total, count(*) FILTER (WHERE bad) AS bad FROM ({turns}) "
        "counted"  # nosec: fixed SQL
        " WHERE created_at >= $1 AND created_at < $2",
        [since, until, *parameters],
    )
    total = rows[0]["total"]
    return rows[0]["bad"] / total if total else None


async def evaluate_slos(
    *, scale: float = 1.0, now: datetime | None = None, slo_file: SloFile | None = None
) -> list[SloStatus]:
    """Each SLO's budget left over its period and its burn rate over every alert window (scaled)."""
    spec = slo_file or load_slos()
    now = now or datetime.now(UTC)
    windows = sorted(
        {w for rule in spec.alerts for w in (rule.long_window, rule.short_window)}, key=parse_window
    )
    statuses = []
    for slo in spec.slos:
        budget = 1 - slo.objective
        period = await _bad_fraction(slo, since=now - timedelta(days=slo.period_days) * scale, until=now)
        rates = {}
        for window in windows:
            fraction = await _bad_fraction(slo, since=now - parse_window(window) * scale, until=now)
            rates[window] = (fraction or 0.0) / budget
        firing = [
            FiringAlert(
                severity=rule.severity,
                long_window=rule.long_window,
                short_window=rule.short_window,
                threshold=rule.burn_rate,
            )
            for rule in spec.alerts
            if rates[rule.long_window] >= rule.burn_rate and rates[rule.short_window] >= rule.burn_rate
        ]
        statuses.append(
            SloStatus(
                name=slo.name,
                description=slo.description,
                objective=slo.objective,
                budget_remaining=1 - (period or 0.0) / budget,
                burn_rates=[BurnRate(window=window, rate=rates[window]) for window in windows],
                firing=firing,
                evaluator=slo.evaluator,
            )
        )
    return statuses


def resolve_cooldowns(*, scale: float = 1.0, slo_file: SloFile | None = None) -> dict[str, timedelta]:
    """How long each severity's alerts must stay quiet before the incident resolves: its shortest short
    window.

    The short window already makes an alert stop soon after the problem does; waiting one more of it keeps a
    gap in sparse traffic (a short window with no bad turn by chance) from resolving and reopening the
    incident.
    """
    spec = slo_file or load_slos()
    cooldowns: dict[str, timedelta] = {}
    for rule in spec.alerts:
        window = parse_window(rule.short_window) * scale
        cooldowns[rule.severity] = min(cooldowns.get(rule.severity, window), window)
    return cooldowns
