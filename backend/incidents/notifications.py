"""Telling people about incidents: Slack-compatible JSON and PagerDuty Events v2, signed, retried, recorded.

Every change (trigger, acknowledge, resolve) becomes one IncidentNotification row per configured target before
anything is sent, so a lost job or a Redis flush cannot lose it: the reconciler enqueues rows left PENDING.
PagerDuty only hears of `page` incidents — a ticket-level burn must not wake anyone.

Sent at most once, like replies: PENDING → SENDING (committed before the POST) → SENT | FAILED. An attempt
that finds SENDING left by one that did not finish settles it: PagerDuty deduplicates on the event's
`dedup_key`, so the same event is sent again; a Slack-compatible webhook can neither be asked nor
deduplicates, so the row becomes UNCERTAIN (shown on the incident; infra/runbook.md says what to do). Every
POST carries `Idempotency-Key: <row id>` for receivers that honour it.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import structlog
from saq import Queue
from tortoise.exceptions import IntegrityError
from tortoise.functions import Count

from backend.core.signatures import event_signature
from backend.incidents.models import Incident, IncidentNotification, NotificationStatus
from backend.jobqueue import JobOptions, enqueue_keyed, unfinished_keys
from backend.settings import Settings
from backend.telemetry.log_levels import RecordedFailure

log = structlog.get_logger(__name__)
SEND_NOTIFICATION_JOB = "send_incident_notification"
SLACK, PAGERDUTY = "slack", "pagerduty"
TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"


class NotificationFailed(RuntimeError):
    """A retryable failure (network, 5xx, 429): the job raises it so SAQ tries again later."""


class EarlierNotificationPending(RecordedFailure):
    """An earlier notification of the same incident and target is not settled yet: try again later (an
    expected wait, logged at INFO, not a failure)."""


@dataclass(frozen=True)
class Notifier:
    """What announcing a change needs from the running process."""

    settings: Settings
    queue: Queue

    def targets(self, incident: Incident) -> list[str]:
        chosen = [SLACK] if self.settings.incident_slack_webhook_url else []
        if self.settings.incident_pagerduty_url and incident.severity == "page":
            chosen.append(PAGERDUTY)
        return chosen

    async def announce(self, incident: Incident, action: str) -> None:
        """Record one notification per target and enqueue its delivery (a lost enqueue is reconciled)."""
        for target in self.targets(incident):
            try:
                row = await IncidentNotification.create(incident=incident, target=target, action=action)
            except IntegrityError:
                continue  # already announced (two processes noticed the same change)
            await enqueue_notifications(queue=self.queue, settings=self.settings, notification_ids=[row.id])


def notification_options(settings: Settings) -> JobOptions:
    return JobOptions(
        function=SEND_NOTIFICATION_JOB,
        retries=settings.notification_attempts,
        timeout=30,
        retry_delay=settings.process_retry_delay_seconds,
        retry_backoff=settings.process_retry_max_delay_seconds,
    )


async def enqueue_notifications(
    *, queue: Queue, settings: Settings, notification_ids: list[uuid.UUID]
) -> int:
    """One send job per notification, keyed by its id; a Redis failure is left to the reconciler."""
    jobs = {
        f"notify:{notification_id}": {"notification_id": str(notification_id)}
        for notification_id in notification_ids
    }
    return await enqueue_keyed(
        queue=queue,
        options=notification_options(settings),
        jobs=jobs,
        failure_event="incident.notify_enqueue_failed",
    )


async def pending_notifications(
    *, queue: Queue, older_than_seconds: int, limit: int = 500
) -> list[uuid.UUID]:
    """Notifications left PENDING or SENDING a while with no job queued or running: their job was lost or gave
    up."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    unfinished = (NotificationStatus.PENDING, NotificationStatus.SENDING)
    candidates = await (
        IncidentNotification.filter(status__in=list(unfinished), created_at__lt=cutoff)
        .order_by("created_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    busy = await unfinished_keys(queue=queue, keys=[f"notify:{row_id}" for row_id in candidates])
    idle = [row_id for row_id in candidates if f"notify:{row_id}" not in busy]
    if not idle:
        return []
    # Read again: one whose job finished after the first read must not get a second job.
    still = set(
        await IncidentNotification.filter(id__in=idle, status__in=list(unfinished)).values_list(
            "id", flat=True
        )
    )
    return [row_id for row_id in idle if row_id in still]


async def count_unsent_notifications() -> dict[NotificationStatus, int]:
    """Notifications per status right now, SENT aside (for /metrics: UNCERTAIN ones need a person)."""
    counts = {status: 0 for status in NotificationStatus if status != NotificationStatus.SENT}
    rows = await (
        IncidentNotification.filter(status__in=list(counts))
        .group_by("status")
        .annotate(n=Count("id"))
        .values("status", "n")
    )
    counts.update({NotificationStatus(row["status"]): row["n"] for row in rows})
    return counts


def _incident_url(settings: Settings, incident: Incident) -> str | None:
    base = settings.dashboard_public_url
    return f"{base.rstrip('/')}/incidents/{incident.id}" if base else None


def slack_payload(incident: Incident, action: str, settings: Settings) -> dict:
    """Slack incoming-webhook JSON (text, with blocks for clients that render them)."""
    verb = {
        TRIGGER: "opened",
        ACKNOWLEDGE: f"acknowledged by {incident.acknowledged_by}",
        RESOLVE: "resolved",
    }[action]
    icon = {TRIGGER: ":rotating_light:", ACKNOWLEDGE: ":eyes:", RESOLVE: ":white_check_mark:"}[action]
    text = f"{icon} [{incident.severity.upper()}] Incident {verb}: {incident.summary}"
    url = _incident_url(settings, incident)
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": text + (f"\n<{url}|Open the incident>" if url else "")},
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": (
                        f"SLO `{incident.slo}` · peak burn {incident.peak_burn_rate:.1f}x · incident "
                        f"{incident.id}"
                    ),
                }
            ],
        },
    ]
    return {"text": text, "blocks": blocks}


def pagerduty_payload(incident: Incident, action: str, settings: Settings) -> dict:
    """A PagerDuty Events API v2 event; the dedup key ties trigger, acknowledge and resolve together."""
    routing_key = settings.incident_pagerduty_routing_key
    event = {
        "routing_key": routing_key.get_secret_value() if routing_key else "",
        "event_action": action,
        "dedup_key": f"agentops-incident-{incident.id}",
    }
    if action == TRIGGER:
        event["payload"] = {
            "summary": incident.summary[:1024],
            "source": "agentops-studio",
            "severity": "critical" if incident.severity == "page" else "warning",
            "timestamp": incident.opened_at.isoformat(),
            "component": incident.slo,
            "group": "ai-agent",
            "class": "slo_burn_rate",
            "custom_details": {
                "slo": incident.slo,
                "peak_burn_rate": incident.peak_burn_rate,
                "incident_id": str(incident.id),
            },
        }
        if url := _incident_url(settings, incident):
            event["links"] = [{"href": url, "text": "Incident in AgentOps Studio"}]
    return event


def _request(target: str, body: bytes, settings: Settings, row_id: uuid.UUID) -> tuple[str, dict[str, str]]:
    url = settings.incident_slack_webhook_url if target == SLACK else settings.incident_pagerduty_url
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "agentops-studio",
        "Idempotency-Key": str(row_id),
    }
    if settings.incident_webhook_secret is not None:  # the receiver can check it came from us, and when
        timestamp = str(int(time.time()))
        headers["X-AgentOps-Timestamp"] = timestamp
        headers["X-AgentOps-Signature"] = event_signature(
            secret=settings.incident_webhook_secret.get_secret_value(), timestamp=timestamp, body=body
        )
    return str(url), headers


async def send_notification(
    *, notification_id: uuid.UUID, http: httpx.AsyncClient, settings: Settings
) -> NotificationStatus:
    """POST one notification at most once: 2xx is SENT, other 4xx FAILED for good, the rest raise to be
    retried."""
    row = await IncidentNotification.get_or_none(id=notification_id).prefetch_related("incident")
    if row is None:
        return NotificationStatus.FAILED
    if row.status not in (NotificationStatus.PENDING, NotificationStatus.SENDING):
        return row.status  # sent, given up or uncertain before: never twice
    # In order per incident and target: each has its own job, and two workers could post an "acknowledge"
    # before its "trigger" (PagerDuty drops an acknowledge for an event it has not seen yet). A later one
    # waits until the earlier ones are settled (sent, failed or uncertain); the wait is a retry, and the
    # reconciler enqueues again what outlives its job's attempts.
    earlier = await IncidentNotification.filter(
        incident_id=row.incident_id,  # type: ignore[attr-defined]
        target=row.target,
        created_at__lt=row.created_at,
        status__in=(NotificationStatus.PENDING, NotificationStatus.SENDING),
    ).exists()
    if earlier:
        log.info("incident.notify_waits", notification_id=str(row.id), target=row.target, action=row.action)
        raise EarlierNotificationPending(
            f"{row.target} notification {row.id} waits for an earlier one of the same incident"
        )
    if row.status == NotificationStatus.SENDING and row.target != PAGERDUTY:
        # An earlier attempt did not finish. A Slack-compatible webhook cannot be asked whether it posted and
        # does not deduplicate: posting again could page the channel twice, so a person decides.
        await _write(
            row,
            attempt=row.attempts,
            status=NotificationStatus.UNCERTAIN,
            response_status=None,
            error="an earlier attempt did not finish; the webhook cannot tell whether it was posted",
        )
        return NotificationStatus.UNCERTAIN
    # PENDING, or SENDING to PagerDuty, whose dedup_key makes the same event sent again change nothing.
    attempt = row.attempts + 1
    claimed = await IncidentNotification.filter(id=row.id, status=row.status, attempts=row.attempts).update(
        status=NotificationStatus.SENDING, attempts=attempt, sending_at=datetime.now(UTC)
    )
    if not claimed:
        return NotificationStatus.SENDING  # another attempt took it first
    final = attempt >= settings.notification_attempts
    shape = slack_payload if row.target == SLACK else pagerduty_payload
    body = json.dumps(shape(row.incident, row.action, settings), separators=(",", ":")).encode()
    url, headers = _request(row.target, body, settings, row.id)
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        maybe_sent = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        return await _failed(
            row,
            attempt=attempt,
            final=final,
            maybe_sent=maybe_sent,
            status=None,
            error=f"{type(error).__name__}: {error}",
        )
    if response.is_success:
        await _write(
            row,
            attempt=attempt,
            status=NotificationStatus.SENT,
            response_status=response.status_code,
            error=None,
            sent=True,
        )
        return NotificationStatus.SENT
    retryable = response.status_code == 429 or response.status_code >= 500
    return await _failed(
        row,
        attempt=attempt,
        final=final or not retryable,
        maybe_sent=response.status_code == 504,
        status=response.status_code,
        error=f"HTTP {response.status_code}: {response.text[:300]}",
    )


async def _write(
    row: IncidentNotification,
    *,
    attempt: int,
    status: NotificationStatus,
    response_status: int | None,
    error: str | None,
    sent: bool = False,
) -> bool:
    """Record an attempt's outcome while that attempt still owns the row (SENDING, its number)."""
    changes: dict = {"status": status, "response_status": response_status, "last_error": error}
    if sent:
        changes["sent_at"] = datetime.now(UTC)
    return bool(
        await IncidentNotification.filter(
            id=row.id, status=NotificationStatus.SENDING, attempts=attempt
        ).update(**changes)
    )


async def _failed(
    row: IncidentNotification, *, attempt: int, final: bool, maybe_sent: bool, status: int | None, error: str
) -> NotificationStatus:
    if maybe_sent:  # it may have been posted: PagerDuty's retry is safe, Slack's is settled as UNCERTAIN
        outcome = NotificationStatus.UNCERTAIN if final else NotificationStatus.SENDING
    else:
        outcome = NotificationStatus.FAILED if final else NotificationStatus.PENDING
    await _write(row, attempt=attempt, status=outcome, response_status=status, error=error)
    log.warning(
        "incident.notify_failed",
        notification_id=str(row.id),
        target=row.target,
        attempt=attempt,
        final=final,
        maybe_sent=maybe_sent,
        error=error,
    )
    if not final:
        raise NotificationFailed(f"{row.target} notification {row.id} failed on attempt {attempt}: {error}")
    return outcome
