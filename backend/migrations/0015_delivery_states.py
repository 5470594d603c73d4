from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.conversations.models import DeliveryStatus
from backend.incidents.models import NotificationStatus


class Migration(migrations.Migration):
    # After main's 0016 and 0017 (which both follow 0014): this one joins them, so there is one head.
    dependencies = [("agentops", "0016_synthetic_history"), ("agentops", "0017_turn_round_trips")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="IncidentNotification",
            name="status",
            field=fields.CharEnumField(
                default=NotificationStatus.PENDING,
                description="PENDING: PENDING\nSENDING: SENDING\nSENT: SENT\nFAILED: FAILED\nUNCERTAIN: "
                "UNCERTAIN",
                enum_type=NotificationStatus,
                max_length=12,
            ),
        ),
        ops.AddField(
            model_name="IncidentNotification",
            name="sending_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AlterField(
            model_name="Message",
            name="delivery_status",
            field=fields.CharEnumField(
                null=True,
                description="QUEUED: QUEUED\nSENDING: SENDING\nSENT: SENT\nFAILED: FAILED\nUNCERTAIN: "
                "UNCERTAIN",
                enum_type=DeliveryStatus,
                max_length=12,
            ),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_resent_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_resent_by",
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name="Message",
            name="delivery_sending_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
