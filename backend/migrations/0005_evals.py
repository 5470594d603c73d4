import functools
from json import dumps, loads
from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.evals.models import EvalRunStatus


class Migration(migrations.Migration):
    dependencies = [("agentops", "0004_guardrails")]

    initial = False

    operations = [
        ops.CreateModel(
            name="EvalSuite",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=80)),
                ("version", fields.CharField(max_length=64)),
                ("case_count", fields.IntField()),
                ("source", fields.CharField(default="files", max_length=20)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "eval_suites",
                "app": "agentops",
                "unique_together": (("name", "version"),),
                "indexes": [Index(fields=["name", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EvalCase",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "suite",
                    fields.ForeignKeyField(
                        "agentops.EvalSuite",
                        source_field="suite_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="cases",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(max_length=120)),
                (
                    "definition",
                    fields.JSONField(encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads),
                ),
                ("known_gap", fields.TextField(null=True, unique=False)),
            ],
            options={
                "table": "eval_cases",
                "app": "agentops",
                "unique_together": (("suite", "name"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EvalRun",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "suite",
                    fields.ForeignKeyField(
                        "agentops.EvalSuite",
                        source_field="suite_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="runs",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("policy", fields.CharField(max_length=40)),
                ("prompt_version", fields.CharField(max_length=40)),
                (
                    "status",
                    fields.CharEnumField(
                        default=EvalRunStatus.QUEUED,
                        description="QUEUED: QUEUED\nRUNNING: RUNNING\nCOMPLETED: COMPLETED\nFAILED: FAILED",
                        enum_type=EvalRunStatus,
                        max_length=10,
                    ),
                ),
                ("total", fields.IntField()),
                ("passed", fields.IntField(default=0)),
                ("failed", fields.IntField(default=0)),
                ("error", fields.TextField(null=True, unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("started_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("finished_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "eval_runs",
                "app": "agentops",
                "indexes": [Index(fields=["created_at", "id"]), Index(fields=["suite_id", "created_at"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EvalCaseResult",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "run",
                    fields.ForeignKeyField(
                        "agentops.EvalRun",
                        source_field="run_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="results",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "case",
                    fields.ForeignKeyField(
                        "agentops.EvalCase",
                        source_field="case_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="results",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("case_name", fields.CharField(max_length=120)),
                ("passed", fields.BooleanField()),
                (
                    "failures",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "transcript",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "tool_calls",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                (
                    "violations",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("latency_ms", fields.FloatField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "eval_case_results",
                "app": "agentops",
                "unique_together": (("run", "case"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
