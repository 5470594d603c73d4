"""Tickets: a problem report with a priority and a status, linked to its conversation."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class TicketPriority(str, Enum):
    LOW = "LOW"
    NORMAL = "NORMAL"
    HIGH = "HIGH"
    URGENT = "URGENT"


class TicketStatus(str, Enum):
    OPEN = "OPEN"
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"


class Ticket(Model):
    id = fields.UUIDField(primary_key=True)
    subject = fields.CharField(max_length=200)
    description = fields.TextField()
    priority = fields.CharEnumField(TicketPriority, max_length=8, default=TicketPriority.NORMAL)
    status = fields.CharEnumField(TicketStatus, max_length=8, default=TicketStatus.OPEN)
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="tickets", null=True, on_delete=fields.SET_NULL
    )
    idempotency_key = fields.CharField(max_length=100, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "tickets"
        indexes = (("created_at", "id"), ("status", "created_at"), ("conversation_id", "created_at"))
