from uuid import uuid4

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0001_initial")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DeadLetter",
            fields=[
                ("id", fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                (
                    "event",
                    fields.OneToOneField(
                        "agentops.IngestEvent",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="dead_letter",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("error_type", fields.CharField(max_length=200)),
                ("error_message", fields.TextField(unique=False)),
                ("traceback_summary", fields.TextField(unique=False)),
                ("attempts", fields.IntField()),
                ("first_failed_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("dead_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("replayed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("replay_count", fields.IntField(default=0)),
            ],
            options={
                "table": "dead_letters",
                "app": "agentops",
                "indexes": [Index(fields=["dead_at", "id"]), Index(fields=["replayed_at", "dead_at"])],
                "pk_attr": "id",
                "table_description": "An event whose processing failed on every attempt: kept with its "
                "error until replayed.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="IngestEvent",
            name="first_failed_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
