from tortoise import fields, migrations
from tortoise.migrations import operations as ops


# The demo's backdated history (rows written straight into the tables, not by the ingest path) says so.
# Numbered 0016: 0015 is taken by another branch of this step; on merge this depends on whichever is last.
class Migration(migrations.Migration):
    dependencies = [("agentops", "0014_booking_changes")]

    initial = False

    operations = [
        ops.AddField(
            model_name="AgentRun",
            name="synthetic",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Conversation",
            name="synthetic",
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name="Incident",
            name="synthetic",
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
