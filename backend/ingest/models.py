"""Ingest events: Postgres is the source of truth for every accepted customer event."""

from enum import Enum

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

from backend.core.enums import Channel


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
    # The adapter's conversation id, else the sender: events with the same key form one thread.
    thread_key = fields.CharField(max_length=200)
    text = fields.TextField()
    occurred_at = fields.DatetimeField()
    metadata = fields.JSONField(default=dict)
    status = fields.CharEnumField(IngestStatus, max_length=12, default=IngestStatus.RECEIVED)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    first_failed_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(auto_now_add=True)
    # Acceptance order, from a database sequence: the order in which a thread's messages are appended.
    accepted_seq = fields.BigIntField(db_default=SqlDefault("nextval('ingest_events_accepted_seq')"))
    processed_at = fields.DatetimeField(null=True)
    api_key = fields.ForeignKeyField(
        "agentops.ApiKey", related_name="events", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "ingest_events"
        # The idempotency guarantee: INSERT … ON CONFLICT (channel, idempotency_key) DO NOTHING.
        unique_together = (("channel", "idempotency_key"),)
        indexes = (
            # The reconciler scans for events left RECEIVED too long; lists filter by status, newest first.
            ("status", "received_at", "id"),
            ("received_at", "id"),
            # A worker catches up on a thread's earlier pending events, in acceptance order.
            ("channel", "thread_key", "status", "accepted_seq"),
        )


class DeadLetter(Model):
    """An event whose processing failed on every attempt: kept with its error until replayed."""

    id = fields.UUIDField(primary_key=True)
    event = fields.OneToOneField("agentops.IngestEvent", related_name="dead_letter", on_delete=fields.CASCADE)
    error_type = fields.CharField(max_length=200)
    error_message = fields.TextField()
    # The last frames of the traceback, enough to find the failing line without storing whole stacks.
    traceback_summary = fields.TextField()
    attempts = fields.IntField()
    first_failed_at = fields.DatetimeField()
    dead_at = fields.DatetimeField(auto_now_add=True)
    replayed_at = fields.DatetimeField(null=True)
    replay_count = fields.IntField(default=0)

    class Meta:
        table = "dead_letters"
        indexes = (("dead_at", "id"), ("replayed_at", "dead_at"))
