from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.incidents.models import IncidentStatus


class Migration(migrations.Migration):
    dependencies = [("agentops", "0006_metric_points")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Incident",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("slo", fields.CharField(max_length=60)),
                ("severity", fields.CharField(max_length=10)),
                (
                    "status",
                    fields.CharEnumField(
                        default=IncidentStatus.OPEN,
                        description="OPEN: OPEN\nACKNOWLEDGED: ACKNOWLEDGED\nRESOLVED: RESOLVED",
                        enum_type=IncidentStatus,
                        max_length=12,
                    ),
                ),
                ("summary", fields.TextField(unique=False)),
                ("peak_burn_rate", fields.FloatField()),
                ("opened_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("acknowledged_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("acknowledged_by", fields.CharField(null=True, max_length=100)),
                ("resolved_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "incidents",
                "app": "agentops",
                "indexes": [Index(fields=["opened_at", "id"]), Index(fields=["slo", "severity", "status"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="IncidentEntry",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "incident",
                    fields.ForeignKeyField(
                        "agentops.Incident",
                        source_field="incident_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("kind", fields.CharField(max_length=20)),
                ("text", fields.TextField(unique=False)),
                ("actor", fields.CharField(null=True, max_length=100)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "incident_entries",
                "app": "agentops",
                "indexes": [Index(fields=["incident_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
