import functools
from json import dumps, loads
from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.fields.db_defaults import SqlDefault
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.conversations.models import ConversationStatus, MessageAuthor, MessageDirection
from backend.core.enums import Channel
from backend.ingest.models import IngestStatus


class Migration(migrations.Migration):
    initial = True

    operations = [
        # IngestEvent.accepted_seq draws from this sequence (its column default).
        ops.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS ingest_events_accepted_seq",
            reverse_sql="DROP SEQUENCE IF EXISTS ingest_events_accepted_seq",
        ),
        ops.CreateModel(
            name="ApiKey",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=100)),
                ("prefix", fields.CharField(unique=True, max_length=16)),
                ("key_hash", fields.CharField(unique=True, max_length=64)),
                (
                    "scopes",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("last_used_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "api_keys",
                "app": "agentops",
                "indexes": [Index(fields=["created_at", "id"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Conversation",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "channel",
                    fields.CharEnumField(
                        description="SMS: SMS\nCHAT: CHAT\nVOICE: VOICE", enum_type=Channel, max_length=8
                    ),
                ),
                ("thread_key", fields.CharField(max_length=200)),
                ("customer", fields.CharField(max_length=128)),
                (
                    "status",
                    fields.CharEnumField(
                        default=ConversationStatus.OPEN,
                        description="OPEN: OPEN\nHANDED_OFF: HANDED_OFF\nCLOSED: CLOSED",
                        enum_type=ConversationStatus,
                        max_length=12,
                    ),
                ),
                ("message_count", fields.IntField(default=0)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ("last_message_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "conversations",
                "app": "agentops",
                "unique_together": (("channel", "thread_key"),),
                "indexes": [
                    Index(fields=["last_message_at", "id"]),
                    Index(fields=["status", "last_message_at", "id"]),
                    Index(fields=["channel", "last_message_at", "id"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IngestEvent",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "channel",
                    fields.CharEnumField(
                        description="SMS: SMS\nCHAT: CHAT\nVOICE: VOICE", enum_type=Channel, max_length=8
                    ),
                ),
                ("idempotency_key", fields.CharField(max_length=200)),
                ("sender", fields.CharField(max_length=128)),
                ("external_conversation_id", fields.CharField(null=True, max_length=200)),
                ("thread_key", fields.CharField(max_length=200)),
                ("text", fields.TextField(unique=False)),
                ("occurred_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "metadata",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=IngestStatus.RECEIVED,
                        description="RECEIVED: RECEIVED\nPROCESSED: PROCESSED\nDEAD: DEAD",
                        enum_type=IngestStatus,
                        max_length=12,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("last_error", fields.TextField(null=True, unique=False)),
                ("received_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "accepted_seq",
                    fields.BigIntField(db_default=SqlDefault("nextval('ingest_events_accepted_seq')")),
                ),
                ("processed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "api_key",
                    fields.ForeignKeyField(
                        "agentops.ApiKey",
                        source_field="api_key_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "ingest_events",
                "app": "agentops",
                "unique_together": (("channel", "idempotency_key"),),
                "indexes": [
                    Index(fields=["status", "received_at", "id"]),
                    Index(fields=["received_at", "id"]),
                    Index(fields=["channel", "thread_key", "status", "accepted_seq"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Message",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "conversation",
                    fields.ForeignKeyField(
                        "agentops.Conversation",
                        source_field="conversation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="messages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("sequence", fields.IntField()),
                (
                    "direction",
                    fields.CharEnumField(
                        description="INBOUND: INBOUND\nOUTBOUND: OUTBOUND",
                        enum_type=MessageDirection,
                        max_length=8,
                    ),
                ),
                (
                    "author",
                    fields.CharEnumField(
                        description="CUSTOMER: CUSTOMER\nAGENT: AGENT\nHUMAN: HUMAN",
                        enum_type=MessageAuthor,
                        max_length=8,
                    ),
                ),
                ("text", fields.TextField(unique=False)),
                (
                    "ingest_event",
                    fields.OneToOneField(
                        "agentops.IngestEvent",
                        source_field="ingest_event_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="message",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "messages",
                "app": "agentops",
                "unique_together": (("conversation", "sequence"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
