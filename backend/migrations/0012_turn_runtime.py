from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0011_search_indexes")]

    initial = False

    operations = [
        # Optimistic concurrency for agent turns: a turn commits only if the conversation's version is the one
        # it read.
        ops.AddField(
            model_name="Conversation",
            name="version",
            field=fields.IntField(default=0),
        ),
        # Raw-SQL writers (the demo history, the ingest upsert) insert conversations too: the database
        # defaults it.
        ops.RunSQL(
            "ALTER TABLE conversations ALTER COLUMN version SET DEFAULT 0",
            reverse_sql="ALTER TABLE conversations ALTER COLUMN version DROP DEFAULT",
        ),
        ops.CreateModel(
            name="ToolEffect",
            fields=[
                ("key", fields.CharField(primary_key=True, max_length=200)),
                ("turn_key", fields.CharField(max_length=100, db_index=True)),
                ("position", fields.IntField()),
                ("tool", fields.CharField(max_length=60)),
                ("arguments", fields.JSONField(default=dict)),
                ("result", fields.JSONField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "tool_effects",
                "app": "agentops",
                "pk_attr": "key",
                "table_description": "A tool call's answer, once per (trigger, call position).",
            },
            bases=["Model"],
        ),
    ]
