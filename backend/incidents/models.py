"""An incident per (SLO, severity) while its alert burns; every change is a timeline entry."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class IncidentStatus(str, Enum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


class Incident(Model):
    id = fields.UUIDField(primary_key=True)
    slo = fields.CharField(max_length=60)
    severity = fields.CharField(max_length=10)  # page | ticket
    status = fields.CharEnumField(IncidentStatus, max_length=12, default=IncidentStatus.OPEN)
    summary = fields.TextField()
    peak_burn_rate = fields.FloatField()
    opened_at = fields.DatetimeField(auto_now_add=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by = fields.CharField(max_length=100, null=True)
    resolved_at = fields.DatetimeField(null=True)
    # The last evaluation that found its alert firing: it resolves only after a quiet cool-down, not on the
    # first evaluation whose short window happens to hold no bad turns (sparse traffic would make it flap).
    last_burning_at = fields.DatetimeField(null=True)
    # Opened by the demo's replay of the SLO watch over its backdated history (backend/demo/ops_history.py).
    synthetic = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "incidents"
        indexes = (("opened_at", "id"), ("slo", "severity", "status"))


class IncidentEntry(Model):
    id = fields.UUIDField(primary_key=True)
    incident = fields.ForeignKeyField("agentops.Incident", related_name="entries", on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=20)  # opened, burn_rate, acknowledged, note, resolved
    text = fields.TextField()
    actor = fields.CharField(max_length=100, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "incident_entries"
        indexes = (("incident_id", "created_at"),)


class NotificationStatus(str, Enum):
    """PENDING → SENDING (committed before the POST) → SENT | FAILED, or UNCERTAIN when a later attempt cannot
    know."""

    PENDING = "PENDING"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    UNCERTAIN = "UNCERTAIN"


class IncidentNotification(Model):
    """One outbound notification of an incident change to one target; every attempt updates this row."""

    id = fields.UUIDField(primary_key=True)
    incident = fields.ForeignKeyField(
        "agentops.Incident", related_name="notifications", on_delete=fields.CASCADE
    )
    target = fields.CharField(max_length=20)  # slack | pagerduty
    action = fields.CharField(max_length=12)  # trigger | acknowledge | resolve
    status = fields.CharEnumField(NotificationStatus, max_length=12, default=NotificationStatus.PENDING)
    attempts = fields.IntField(default=0)
    sending_at = fields.DatetimeField(null=True)  # when the current attempt committed SENDING
    response_status = fields.IntField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "incident_notifications"
        # Each change is announced once per target, however many processes notice it.
        unique_together = (("incident", "target", "action"),)
        indexes = (("status", "created_at"),)
