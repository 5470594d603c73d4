"""Operations cron jobs: the metrics rollup, and the SLO watch that opens and resolves incidents."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from backend.incidents import notifications
from backend.incidents.service import sync_incidents
from backend.observability.rollup import rollup_metrics
from backend.observability.slo import evaluate_slos, load_slos, resolve_cooldowns
from backend.simulations.service import ensure_traffic, finish_overdue_simulations


async def rollup(ctx: dict[str, Any]) -> int:
    """Write metric points for every complete minute since the last rollup (idempotent)."""
    return await rollup_metrics(queue=ctx["queue"])


async def watch_slos(ctx: dict[str, Any]) -> int:
    """Evaluate the SLOs' burn rates; open an incident per new firing alert, resolve those that stopped."""
    settings = ctx["app_settings"]
    await finish_overdue_simulations(redis=ctx["redis"], hub=ctx["hub"])
    await ensure_traffic(queue=ctx["queue"])
    now = datetime.now(UTC)
    spec = load_slos()  # read each tick: an edited infra/slo.yaml applies without a restart
    statuses = await evaluate_slos(scale=settings.slo_window_scale, now=now, slo_file=spec)
    changed = await sync_incidents(
        statuses=statuses,
        hub=ctx.get("hub"),
        notifier=ctx.get("notifier"),
        now=now,
        cooldowns=resolve_cooldowns(scale=settings.slo_window_scale, slo_file=spec),
    )
    pending = await notifications.pending_notifications(
        queue=ctx["queue"], older_than_seconds=settings.reconcile_stale_after_seconds
    )
    await notifications.enqueue_notifications(queue=ctx["queue"], settings=settings, notification_ids=pending)
    return len(changed)


async def send_incident_notification(ctx: dict[str, Any], *, notification_id: str) -> str:
    """POST one incident notification at most once; a retryable failure raises so SAQ tries again with
    backoff."""
    status = await notifications.send_notification(
        notification_id=uuid.UUID(notification_id), http=ctx["http"], settings=ctx["app_settings"]
    )
    return status.value
