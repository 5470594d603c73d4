from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0005_evals")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MetricPoint",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("name", fields.CharField(max_length=60)),
                ("channel", fields.CharField(max_length=8)),
                ("bucket_start", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("value", fields.FloatField()),
            ],
            options={
                "table": "metric_points",
                "app": "agentops",
                "unique_together": (("name", "channel", "bucket_start"),),
                "indexes": [Index(fields=["name", "bucket_start"])],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
    ]
