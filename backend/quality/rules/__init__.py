"""Rule evaluators: deterministic checks of one turn that need no model.

Each rule is built once from its evaluator file's `params` (unknown or bad params are an error when the file
is loaded) and scores a TurnSubject; None means the rule does not apply to that turn (a booking check on a
turn that booked nothing), so no score is stored for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from backend.quality.subject import TurnSubject
from backend.quality.verdicts import Verdict


class RuleEvaluator(Protocol):
    def score(self, subject: TurnSubject) -> Verdict | None: ...


def _registry() -> dict[str, Callable[[Mapping[str, Any]], RuleEvaluator]]:
    from backend.quality.rules.bookings import BookingAsAsked
    from backend.quality.rules.claims import BackedClaims
    from backend.quality.rules.handoffs import HandoffAsAsked
    from backend.quality.rules.replies import GuardrailClean, ReplyLength

    return {
        rule.name: rule.from_params
        for rule in (BackedClaims, BookingAsAsked, HandoffAsAsked, GuardrailClean, ReplyLength)
    }


def rule_names() -> list[str]:
    return sorted(_registry())


def build_rule(name: str, params: Mapping[str, Any]) -> RuleEvaluator:
    """The rule `name` with these params; ValueError naming what is wrong."""
    factory = _registry().get(name)
    if factory is None:
        raise ValueError(f"unknown rule {name!r} (known: {', '.join(rule_names())})")
    return factory(params)
