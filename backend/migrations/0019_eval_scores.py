from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.quality.models import ScoreTrigger


# Online evaluation (backend/quality): one row per evaluator verdict on an agent run.
class Migration(migrations.Migration):
    dependencies = [("agentops", "0018_commit_undeliverable")]

    initial = False

    operations = [
        ops.CreateModel(
            name="EvalScore",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "run",
                    fields.ForeignKeyField(
                        "agentops.AgentRun",
                        source_field="run_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="scores",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "conversation",
                    fields.ForeignKeyField(
                        "agentops.Conversation",
                        source_field="conversation_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="scores",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("evaluator", fields.CharField(max_length=40)),
                ("version", fields.CharField(max_length=40)),
                ("kind", fields.CharField(max_length=8)),
                ("score", fields.FloatField(null=True)),
                ("passed", fields.BooleanField(null=True)),
                ("label", fields.CharField(max_length=40)),
                ("reason", fields.TextField(unique=False)),
                ("model", fields.CharField(null=True, max_length=120)),
                ("prompt_tokens", fields.IntField(null=True)),
                ("completion_tokens", fields.IntField(null=True)),
                (
                    "trigger",
                    fields.CharEnumField(
                        description="SAMPLE: SAMPLE\nGUARDRAIL: GUARDRAIL\nFAILURE: FAILURE",
                        enum_type=ScoreTrigger,
                        max_length=10,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "eval_scores",
                "app": "agentops",
                "unique_together": (("run", "evaluator", "version"),),
                "indexes": [
                    Index(fields=["created_at", "id"]),
                    Index(fields=["evaluator", "created_at"]),
                    Index(fields=["conversation_id", "created_at"]),
                    Index(fields=["label", "created_at"]),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
