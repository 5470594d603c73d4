"""Telling people about incidents: Slack-compatible JSON and PagerDuty Events v2, signed, retried, recorded.

Every change (trigger, acknowledge, resolve) becomes one IncidentNotification row per configured target before
anything is sent, so a lost job or a Redis flush cannot lose it: the reconciler enqueues rows left PENDING.
PagerDuty only hears of `page` incidents — a ticket-level burn must not wake anyone.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import redis.asyncio as aioredis
import structlog
from saq import Queue
from tortoise.exceptions import IntegrityError

from backend.channels.webhooks.signatures import event_signature
from backend.incidents.models import Incident, IncidentNotification, NotificationStatus
from backend.settings import Settings

log = structlog.get_logger(__name__)
SEND_NOTIFICATION_JOB = "send_incident_notification"
SLACK, PAGERDUTY = "slack", "pagerduty"
TRIGGER, ACKNOWLEDGE, RESOLVE = "trigger", "acknowledge", "resolve"


class NotificationFailed(RuntimeError):
    """A retryable failure (network, 5xx, 429): the job raises it so SAQ tries again later."""


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


async def enqueue_notifications(*, queue: Queue, settings: Settings, notification_ids: list[uuid.UUID]) -> None:
    for notification_id in notification_ids:
        try:
            await queue.enqueue(
                SEND_NOTIFICATION_JOB, key=f"notify:{notification_id}", notification_id=str(notification_id),
                retries=settings.notification_attempts, timeout=30, retry_delay=settings.process_retry_delay_seconds,
                retry_backoff=settings.process_retry_max_delay_seconds,
            )
        except (aioredis.RedisError, OSError) as error:
            log.warning("incident.notify_enqueue_failed", notification_id=str(notification_id), error=str(error))


async def pending_notifications(*, older_than_seconds: int, limit: int = 500) -> list[uuid.UUID]:
    """Notifications still PENDING after a while: their job may have been lost."""
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    return list(await IncidentNotification.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff)
                .order_by("created_at").limit(limit).values_list("id", flat=True))


def _incident_url(settings: Settings, incident: Incident) -> str | None:
    base = settings.dashboard_public_url
    return f"{base.rstrip('/')}/incidents/{incident.id}" if base else None


def slack_payload(incident: Incident, action: str, settings: Settings) -> dict:
    """Slack incoming-webhook JSON (text, with blocks for clients that render them)."""
    verb = {TRIGGER: "opened", ACKNOWLEDGE: f"acknowledged by {incident.acknowledged_by}", RESOLVE: "resolved"}[action]
    icon = {TRIGGER: ":rotating_light:", ACKNOWLEDGE: ":eyes:", RESOLVE: ":white_check_mark:"}[action]
    text = f"{icon} [{incident.severity.upper()}] Incident {verb}: {incident.summary}"
    url = _incident_url(settings, incident)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text + (f"\n<{url}|Open the incident>" if url else "")}},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                  f"SLO `{incident.slo}` · peak burn {incident.peak_burn_rate:.1f}x · incident {incident.id}")}]}]
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
            "custom_details": {"slo": incident.slo, "peak_burn_rate": incident.peak_burn_rate,
                               "incident_id": str(incident.id)},
        }
        if url := _incident_url(settings, incident):
            event["links"] = [{"href": url, "text": "Incident in AgentOps Studio"}]
    return event


def _request(target: str, body: bytes, settings: Settings) -> tuple[str, dict[str, str]]:
    url = settings.incident_slack_webhook_url if target == SLACK else settings.incident_pagerduty_url
    headers = {"Content-Type": "application/json", "User-Agent": "agentops-studio"}
    if settings.incident_webhook_secret is not None:  # the receiver can check it came from us, and when
        timestamp = str(int(time.time()))
        headers["X-AgentOps-Timestamp"] = timestamp
        headers["X-AgentOps-Signature"] = event_signature(
            secret=settings.incident_webhook_secret.get_secret_value(), timestamp=timestamp, body=body)
    return str(url), headers


async def send_notification(
    *, notification_id: uuid.UUID, http: httpx.AsyncClient, settings: Settings, attempt: int, final_attempt: bool
) -> NotificationStatus:
    """POST one notification; 2xx is SENT, other 4xx FAILED for good, the rest raise to be retried."""
    row = await IncidentNotification.get_or_none(id=notification_id).prefetch_related("incident")
    if row is None or row.status != NotificationStatus.PENDING:
        return row.status if row else NotificationStatus.FAILED  # sent (or given up) before: never twice
    shape = slack_payload if row.target == SLACK else pagerduty_payload
    body = json.dumps(shape(row.incident, row.action, settings), separators=(",", ":")).encode()
    url, headers = _request(row.target, body, settings)
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return await _failed(row, attempt=attempt, final=final_attempt, status=None, error=f"{type(error).__name__}: {error}")
    if response.is_success:
        row.status, row.attempts, row.response_status, row.sent_at = (
            NotificationStatus.SENT, attempt, response.status_code, datetime.now(UTC))
        await row.save(update_fields=["status", "attempts", "response_status", "sent_at"])
        return row.status
    retryable = response.status_code == 429 or response.status_code >= 500
    return await _failed(row, attempt=attempt, final=final_attempt or not retryable, status=response.status_code,
                         error=f"HTTP {response.status_code}: {response.text[:300]}")


async def _failed(row: IncidentNotification, *, attempt: int, final: bool, status: int | None, error: str) -> NotificationStatus:
    row.attempts, row.response_status, row.last_error = attempt, status, error
    if final:
        row.status = NotificationStatus.FAILED
    await row.save(update_fields=["status", "attempts", "response_status", "last_error"])
    log.warning("incident.notify_failed", notification_id=str(row.id), target=row.target, attempt=attempt,
                final=final, error=error)
    if not final:
        raise NotificationFailed(f"{row.target} notification {row.id} failed on attempt {attempt}: {error}")
    return row.status
