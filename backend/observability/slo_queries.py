"""slos: each objective with its error budget left, burn rates per alert window, and the alerts firing now."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from backend.graphql.permissions import CanRead
from backend.observability.slo import evaluate_slos


@strawberry.type
class BurnRateView:
    window: str
    rate: float


@strawberry.type
class FiringAlertView:
    severity: str
    long_window: str
    short_window: str
    threshold: float


@strawberry.type(name="Slo")
class SloView:
    name: str
    description: str
    objective: float
    budget_remaining: float = strawberry.field(description="1 untouched, 0 spent, below 0 overspent.")
    burn_rates: list[BurnRateView]
    firing: list[FiringAlertView]
    evaluator: str | None = strawberry.field(
        default=None, description="A quality SLO's evaluator (its scores are what it counts); null otherwise."
    )


@strawberry.type
class SloQueries:
    @strawberry.field(
        permission_classes=[CanRead], description="Service level objectives from infra/slo.yaml."
    )
    async def slos(self, info: Info) -> list[SloView]:
        statuses = await evaluate_slos(scale=info.context.services.settings.slo_window_scale)
        return [
            SloView(
                name=status.name,
                description=status.description,
                objective=status.objective,
                budget_remaining=status.budget_remaining,
                burn_rates=[BurnRateView(window=rate.window, rate=rate.rate) for rate in status.burn_rates],
                firing=[
                    FiringAlertView(
                        severity=alert.severity,
                        long_window=alert.long_window,
                        short_window=alert.short_window,
                        threshold=alert.threshold,
                    )
                    for alert in status.firing
                ],
                evaluator=status.evaluator,
            )
            for status in statuses
        ]
