import functools
from json import dumps, loads
from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.agent.models import RunStatus
from backend.conversations.models import DeliveryStatus
from backend.scheduling.models import BookingStatus
from backend.tickets.models import TicketPriority, TicketStatus


class Migration(migrations.Migration):
    dependencies = [("agentops", "0002_dead_letters")]

    initial = False

    operations = [
        ops.CreateModel(
            name="AgentRun",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "conversation",
                    fields.ForeignKeyField(
                        "agentops.Conversation",
                        source_field="conversation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="runs",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "trigger_message",
                    fields.OneToOneField(
                        "agentops.Message",
                        source_field="trigger_message_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="answered_by",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "reply_message",
                    fields.OneToOneField(
                        "agentops.Message",
                        source_field="reply_message_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="written_by",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("policy", fields.CharField(max_length=40)),
                ("prompt_name", fields.CharField(max_length=80)),
                ("prompt_version", fields.CharField(max_length=40)),
                ("model", fields.CharField(null=True, max_length=120)),
                ("intent", fields.CharField(null=True, max_length=20)),
                (
                    "status",
                    fields.CharEnumField(
                        description="OK: OK\nFAILED: FAILED\nHANDED_OFF: HANDED_OFF",
                        enum_type=RunStatus,
                        max_length=12,
                    ),
                ),
                ("latency_ms", fields.FloatField()),
                ("prompt_tokens", fields.IntField(null=True)),
                ("completion_tokens", fields.IntField(null=True)),
                ("error", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "agent_runs",
                "app": "agentops",
                "indexes": [
                    Index(fields=["created_at", "id"]),
                    Index(fields=["status", "created_at", "id"]),
                    Index(fields=["conversation_id", "created_at"]),
                    Index(fields=["policy", "prompt_version", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="BusinessHours",
            fields=[
                ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("weekday", fields.IntField(unique=True)),
                ("opens_at", fields.TimeField(auto_now=False, auto_now_add=False)),
                ("closes_at", fields.TimeField(auto_now=False, auto_now_add=False)),
            ],
            options={"table": "business_hours", "app": "agentops", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Resource",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=100)),
            ],
            options={
                "table": "resources",
                "app": "agentops",
                "pk_attr": "id",
                "table_description": "A member of staff (or a room, a chair) who delivers services.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Service",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("name", fields.CharField(unique=True, max_length=100)),
                ("duration_minutes", fields.IntField()),
                ("description", fields.CharField(default="", max_length=300)),
            ],
            options={"table": "services", "app": "agentops", "pk_attr": "id"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Slot",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "service",
                    fields.ForeignKeyField(
                        "agentops.Service",
                        source_field="service_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="slots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "resource",
                    fields.ForeignKeyField(
                        "agentops.Resource",
                        source_field="resource_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="slots",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "slots",
                "app": "agentops",
                "unique_together": (("resource", "starts_at", "service"),),
                "indexes": [Index(fields=["service_id", "starts_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Booking",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "slot",
                    fields.ForeignKeyField(
                        "agentops.Slot",
                        source_field="slot_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="bookings",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "conversation",
                    fields.ForeignKeyField(
                        "agentops.Conversation",
                        source_field="conversation_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="bookings",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("customer_name", fields.CharField(max_length=120)),
                ("customer_phone", fields.CharField(null=True, max_length=32)),
                (
                    "status",
                    fields.CharEnumField(
                        default=BookingStatus.CONFIRMED,
                        description="CONFIRMED: CONFIRMED\nCANCELLED: CANCELLED",
                        enum_type=BookingStatus,
                        max_length=10,
                    ),
                ),
                ("idempotency_key", fields.CharField(unique=True, max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("cancelled_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "bookings",
                "app": "agentops",
                "indexes": [
                    Index(fields=["created_at", "id"]),
                    Index(fields=["conversation_id", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Ticket",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("subject", fields.CharField(max_length=200)),
                ("description", fields.TextField(unique=False)),
                (
                    "priority",
                    fields.CharEnumField(
                        default=TicketPriority.NORMAL,
                        description="LOW: LOW\nNORMAL: NORMAL\nHIGH: HIGH\nURGENT: URGENT",
                        enum_type=TicketPriority,
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=TicketStatus.OPEN,
                        description="OPEN: OPEN\nPENDING: PENDING\nRESOLVED: RESOLVED",
                        enum_type=TicketStatus,
                        max_length=8,
                    ),
                ),
                (
                    "conversation",
                    fields.ForeignKeyField(
                        "agentops.Conversation",
                        source_field="conversation_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="tickets",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("idempotency_key", fields.CharField(unique=True, max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "tickets",
                "app": "agentops",
                "indexes": [
                    Index(fields=["created_at", "id"]),
                    Index(fields=["status", "created_at"]),
                    Index(fields=["conversation_id", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ToolCall",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "run",
                    fields.ForeignKeyField(
                        "agentops.AgentRun",
                        source_field="run_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="tool_calls",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField()),
                ("name", fields.CharField(max_length=60)),
                (
                    "arguments",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "result",
                    fields.JSONField(
                        null=True, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("error", fields.TextField(null=True, unique=False)),
                ("latency_ms", fields.FloatField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "tool_calls",
                "app": "agentops",
                "unique_together": (("run", "position"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Conversation",
            name="agent_state",
            field=fields.JSONField(
                default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
            ),
        ),
        ops.AddField(
            model_name="Conversation",
            name="handed_off_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Conversation",
            name="handoff_reason",
            field=fields.CharField(null=True, max_length=300),
        ),
        ops.AddField(
            model_name="Message",
            name="delivered_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_attempts",
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_error",
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_status",
            field=fields.CharEnumField(
                null=True,
                description="QUEUED: QUEUED\nSENT: SENT\nFAILED: FAILED",
                enum_type=DeliveryStatus,
                max_length=8,
            ),
        ),
        ops.AddField(
            model_name="Message",
            name="provider_message_id",
            field=fields.CharField(null=True, max_length=120),
        ),
        ops.AddIndex(
            model_name="Message",
            index=Index(fields=["delivery_status", "created_at"]),
        ),
        # At most one CONFIRMED booking per slot, whatever the concurrency: the database says no to the
        # second.
        ops.RunSQL(
            "CREATE UNIQUE INDEX bookings_one_confirmed_per_slot ON bookings (slot_id) WHERE status = "
            "'CONFIRMED'",
            reverse_sql="DROP INDEX IF EXISTS bookings_one_confirmed_per_slot",
        ),
    ]
