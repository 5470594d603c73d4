"""Ingest events: Postgres is the source of truth for every accepted customer event."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.channels.enums import Channel


class IngestStatus(str, Enum):
    RECEIVED = "RECEIVED"
    PROCESSED = "PROCESSED"
    DEAD = "DEAD"


class IngestEvent(Model):
    id = fields.UUIDField(primary_key=True)
    channel = fields.CharEnumField(Channel, max_length=8)
    idempotency_key = fields.CharField(max_length=200)
    sender = fields.CharField(max_length=128)
    external_conversation_id = fields.CharField(max_length=200, null=True)
    text = fields.TextField()
    occurred_at = fields.DatetimeField()
    metadata = fields.JSONField(default=dict)
    status = fields.CharEnumField(IngestStatus, max_length=12, default=IngestStatus.RECEIVED)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    processed_at = fields.DatetimeField(null=True)
    api_key = fields.ForeignKeyField("agentops.ApiKey", related_name="events", null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "ingest_events"
        # The idempotency guarantee: INSERT … ON CONFLICT (channel, idempotency_key) DO NOTHING.
        unique_together = (("channel", "idempotency_key"),)
        # The reconciler scans for events left RECEIVED too long; the dead-letter view lists DEAD ones.
        indexes = (("status", "received_at"),)
