from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("agentops", "0009_users")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Incident",
            name="last_burning_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
