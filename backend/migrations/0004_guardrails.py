from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0003_agent_runtime")]

    initial = False

    operations = [
        ops.CreateModel(
            name="GuardrailViolation",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("stage", fields.CharField(max_length=8)),
                ("rule", fields.CharField(max_length=60)),
                ("severity", fields.CharField(max_length=10)),
                ("action", fields.CharField(max_length=8)),
                (
                    "run",
                    fields.ForeignKeyField(
                        "agentops.AgentRun",
                        source_field="run_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="violations",
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
                        related_name="violations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("message", fields.TextField(unique=False)),
                ("excerpt", fields.CharField(max_length=240)),
                ("config_version", fields.CharField(max_length=40)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "guardrail_violations",
                "app": "agentops",
                "indexes": [
                    Index(fields=["created_at", "id"]),
                    Index(fields=["rule", "created_at"]),
                    Index(fields=["stage", "created_at"]),
                    Index(fields=["conversation_id", "created_at"]),
                    Index(fields=["run_id"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
