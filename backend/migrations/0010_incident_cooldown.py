from tortoise import fields, migrations
from tortoise.migrations import operations as ops


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
