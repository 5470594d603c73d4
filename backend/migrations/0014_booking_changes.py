from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("agentops", "0013_eval_model_source")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Booking",
            name="rescheduled_from",
            field=fields.ForeignKeyField(
                "agentops.Booking",
                source_field="rescheduled_from_id",
                null=True,
                db_constraint=True,
                to_field="id",
                related_name="rescheduled_to",
                on_delete=OnDelete.SET_NULL,
            ),
        ),
        ops.AddIndex(
            model_name="Booking",
            index=Index(fields=["customer_phone"]),
        ),
    ]
