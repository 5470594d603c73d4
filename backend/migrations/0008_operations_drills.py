import functools
from json import dumps, loads
from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.incidents.models import NotificationStatus
from backend.simulations.models import SimulationKind, SimulationStatus


class Migration(migrations.Migration):
    dependencies = [("agentops", "0007_incidents")]

    initial = False

    operations = [
        ops.CreateModel(
            name="IncidentNotification",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "incident",
                    fields.ForeignKeyField(
                        "agentops.Incident",
                        source_field="incident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("target", fields.CharField(max_length=20)),
                ("action", fields.CharField(max_length=12)),
                (
                    "status",
                    fields.CharEnumField(
                        default=NotificationStatus.PENDING,
                        description="PENDING: PENDING\nSENT: SENT\nFAILED: FAILED",
                        enum_type=NotificationStatus,
                        max_length=8,
                    ),
                ),
                ("attempts", fields.IntField(default=0)),
                ("response_status", fields.IntField(null=True)),
                ("last_error", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "incident_notifications",
                "app": "agentops",
                "unique_together": (("incident", "target", "action"),),
                "indexes": [Index(fields=["status", "created_at"])],
                "pk_attr": "id",
                "table_description": "One outbound notification of an incident change to one target; every "
                "attempt updates this row.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Simulation",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="TOOL_OUTAGE: TOOL_OUTAGE\nLATENCY_SPIKE: LATENCY_SPIKE\nPOLICY_ERROR: "
                        "POLICY_ERROR\nDELIVERY_FAILURE: DELIVERY_FAILURE\nQUEUE_BACKLOG: "
                        "QUEUE_BACKLOG",
                        enum_type=SimulationKind,
                        max_length=20,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=SimulationStatus.RUNNING,
                        description="RUNNING: RUNNING\nFINISHED: FINISHED\nSTOPPED: STOPPED",
                        enum_type=SimulationStatus,
                        max_length=10,
                    ),
                ),
                ("intensity", fields.FloatField()),
                ("duration_seconds", fields.IntField()),
                ("target", fields.CharField(null=True, max_length=60)),
                ("traffic_per_second", fields.FloatField(default=0)),
                ("started_by", fields.CharField(max_length=100)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "effects",
                    fields.JSONField(
                        default=dict, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
            ],
            options={
                "table": "simulations",
                "app": "agentops",
                "indexes": [Index(fields=["started_at", "id"]), Index(fields=["status", "kind"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        # One unresolved incident per (SLO, severity), even if two evaluations race to open it.
        ops.RunSQL(
            "CREATE UNIQUE INDEX incidents_one_active_per_alert ON incidents (slo, severity) WHERE status "
            "<> 'RESOLVED'",
            reverse_sql="DROP INDEX IF EXISTS incidents_one_active_per_alert",
        ),
    ]
