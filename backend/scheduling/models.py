"""Scheduling tables. A slot can hold one confirmed booking: a partial unique index enforces it."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class BookingStatus(str, Enum):
    CONFIRMED = "CONFIRMED"
    CANCELLED = "CANCELLED"


class Service(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)
    duration_minutes = fields.IntField()
    description = fields.CharField(max_length=300, default="")

    class Meta:
        table = "services"


class Resource(Model):
    """A member of staff (or a room, a chair) who delivers services."""

    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=100, unique=True)

    class Meta:
        table = "resources"


class BusinessHours(Model):
    id = fields.IntField(primary_key=True)
    weekday = fields.IntField(unique=True)  # 0 = Monday, as datetime.weekday()
    opens_at = fields.TimeField()
    closes_at = fields.TimeField()

    class Meta:
        table = "business_hours"


class Slot(Model):
    id = fields.UUIDField(primary_key=True)
    service = fields.ForeignKeyField("agentops.Service", related_name="slots", on_delete=fields.CASCADE)
    resource = fields.ForeignKeyField("agentops.Resource", related_name="slots", on_delete=fields.CASCADE)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()

    class Meta:
        table = "slots"
        unique_together = (("resource", "starts_at", "service"),)
        # check_availability: a service's slots in a time range, in order.
        indexes = (("service_id", "starts_at"),)


class Booking(Model):
    id = fields.UUIDField(primary_key=True)
    slot = fields.ForeignKeyField("agentops.Slot", related_name="bookings", on_delete=fields.CASCADE)
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="bookings", null=True, on_delete=fields.SET_NULL
    )
    customer_name = fields.CharField(max_length=120)
    customer_phone = fields.CharField(max_length=32, null=True)
    status = fields.CharEnumField(BookingStatus, max_length=10, default=BookingStatus.CONFIRMED)
    # "<run id>:<call position>": the same tool call, retried, finds its booking instead of making another.
    idempotency_key = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    cancelled_at = fields.DatetimeField(null=True)
    # The booking this one replaced when the customer moved it (that one is CANCELLED in the same
    # transaction).
    rescheduled_from = fields.ForeignKeyField(
        "agentops.Booking", related_name="rescheduled_to", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "bookings"
        # customer_phone: a customer's bookings, found by the number they write from.
        indexes = (("created_at", "id"), ("conversation_id", "created_at"), ("customer_phone",))
