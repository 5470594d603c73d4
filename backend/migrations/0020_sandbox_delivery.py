from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from backend.core.enums import Channel, DeliveryProvider


# The built-in sandbox provider records what it accepted; each reply records who its latest attempt went to,
# so a reply the sandbox took is never mistaken for one a customer received.
class Migration(migrations.Migration):
    dependencies = [("agentops", "0019_eval_scores")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Message",
            name="delivery_provider",
            field=fields.CharEnumField(
                null=True,
                description="TWILIO: TWILIO\nWEBHOOK: WEBHOOK\nSANDBOX: SANDBOX",
                enum_type=DeliveryProvider,
                max_length=8,
            ),
        ),
        ops.CreateModel(
            name="SandboxMessage",
            fields=[
                ("id", fields.UUIDField(primary_key=True, unique=True, db_index=True)),
                ("provider_id", fields.CharField(max_length=40, unique=True)),
                (
                    "channel",
                    fields.CharEnumField(
                        description="SMS: SMS\nCHAT: CHAT\nVOICE: VOICE", enum_type=Channel, max_length=8
                    ),
                ),
                ("recipient", fields.CharField(max_length=128)),
                ("thread", fields.CharField(max_length=200)),
                ("text", fields.TextField(unique=False)),
                ("requests", fields.IntField(default=1)),
                ("accepted_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "sandbox_messages",
                "app": "agentops",
                "indexes": [Index(fields=["accepted_at", "id"]), Index(fields=["recipient", "accepted_at"])],
                "pk_attr": "id",
                "table_description": "Replies the built-in sandbox provider accepted (nothing reached a "
                "customer).",
            },
            bases=["Model"],
        ),
    ]
