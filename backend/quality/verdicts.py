"""What an evaluator says about one turn: a score in [0, 1] (1 is best), a label, and why in words."""

from __future__ import annotations

from dataclasses import dataclass

# A judge call that did not happen: no score, only the reason (counted as skipped, never as a bad turn).
BUDGET_EXHAUSTED = "budget_exhausted"
ENDPOINT_FAILED = "endpoint_failed"
SKIP_LABELS = (BUDGET_EXHAUSTED, ENDPOINT_FAILED)


@dataclass(frozen=True)
class Verdict:
    score: float | None  # None: skipped (the label says why)
    label: str
    reason: str
    model: str | None = None  # the judge's model; None for rules
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @property
    def skipped(self) -> bool:
        return self.score is None


def skipped(label: str, reason: str) -> Verdict:
    """A judge verdict that could not be had: over the token budget, or the endpoint failed."""
    return Verdict(score=None, label=label, reason=reason[:1000])
