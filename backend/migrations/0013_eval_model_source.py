from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.evals.models import ModelSource


class Migration(migrations.Migration):
    dependencies = [("agentops", "0012_turn_runtime")]

    initial = False

    operations = [
        ops.AddField(
            model_name="EvalRun",
            name="model_source",
            field=fields.CharEnumField(
                null=True,
                description="LIVE: live\nRECORD: record\nREPLAY: replay",
                enum_type=ModelSource,
                max_length=10,
            ),
        ),
    ]
