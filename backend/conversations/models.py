"""A conversation is one customer thread on one channel; messages are kept in a strict per-thread order."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model

from backend.core.enums import Channel, DeliveryProvider


class ConversationStatus(str, Enum):
    OPEN = "OPEN"
    HANDED_OFF = "HANDED_OFF"
    CLOSED = "CLOSED"


class MessageDirection(str, Enum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class DeliveryStatus(str, Enum):
    """An outbound message's way out: QUEUED → SENDING → SENT | FAILED, or UNCERTAIN when we cannot know.

    SENDING is committed before the provider is called, so a later attempt that finds it knows an earlier one
    may have reached the provider and resolves that first (backend/channels/delivery/service.py) instead of
    sending blindly. UNCERTAIN waits for an operator: resending it may reach the customer twice.
    """

    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SENT = "SENT"
    FAILED = "FAILED"
    UNCERTAIN = "UNCERTAIN"


class MessageAuthor(str, Enum):
    CUSTOMER = "CUSTOMER"
    AGENT = "AGENT"
    HUMAN = "HUMAN"
    # An operator trying the agent from the playground: stored as theirs, never answered to the customer.
    OPERATOR = "OPERATOR"


class Conversation(Model):
    id = fields.UUIDField(primary_key=True)
    channel = fields.CharEnumField(Channel, max_length=8)
    # The adapter's conversation id when it sends one, else the sender: what groups events into a thread.
    thread_key = fields.CharField(max_length=200)
    customer = fields.CharField(max_length=128)
    status = fields.CharEnumField(ConversationStatus, max_length=12, default=ConversationStatus.OPEN)
    message_count = fields.IntField(default=0)
    # What the agent has gathered so far (intent, service, date, time, name, phone, what it asked for).
    agent_state = fields.JSONField(default=dict)
    # Bumped by every agent turn's commit and every operator change (close, hand back, human reply): a turn
    # that read version N commits only while it is still N, else it is decided again on what changed.
    version = fields.IntField(default=0)
    handed_off_at = fields.DatetimeField(null=True)
    handoff_reason = fields.CharField(max_length=300, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # Set at creation and on every message: the conversations page sorts on it.
    last_message_at = fields.DatetimeField()
    # Written straight into the tables by the demo's backdated history (backend/demo/ops_history.py), not by
    # the ingest path: shown as synthetic wherever a person sees it, so nobody mistakes it for real traffic.
    synthetic = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "conversations"
        unique_together = (("channel", "thread_key"),)
        # The conversations page lists newest activity first, optionally per status or channel,
        # keyset-paginated.
        indexes = (
            ("last_message_at", "id"),
            ("status", "last_message_at", "id"),
            ("channel", "last_message_at", "id"),
            ("customer",),  # the customer filter, and a customer's history
        )


class Message(Model):
    id = fields.UUIDField(primary_key=True)
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="messages", on_delete=fields.CASCADE
    )
    # Position in the thread, assigned under the conversation's lock: the order customers and agents see.
    sequence = fields.IntField()
    direction = fields.CharEnumField(MessageDirection, max_length=8)
    author = fields.CharEnumField(MessageAuthor, max_length=8)
    text = fields.TextField()
    # The ingest event an inbound message came from; unique so a replayed event never appends twice.
    ingest_event = fields.OneToOneField(
        "agentops.IngestEvent", related_name="message", null=True, on_delete=fields.SET_NULL
    )
    # Outbound only: QUEUED until an attempt claims it (SENDING), then SENT, FAILED, or UNCERTAIN (see
    # DeliveryStatus).
    delivery_status = fields.CharEnumField(DeliveryStatus, max_length=12, null=True)
    # Attempts that claimed the message (counted on the row, not on a SAQ job: the reconciler may start a new
    # job).
    delivery_attempts = fields.IntField(default=0)
    # When the current attempt committed SENDING: a later attempt resolves it only once that one must be over.
    delivery_sending_at = fields.DatetimeField(null=True)
    # An operator who resent an UNCERTAIN or FAILED reply, knowingly, and when.
    delivery_resent_by = fields.CharField(max_length=100, null=True)
    delivery_resent_at = fields.DatetimeField(null=True)
    delivered_at = fields.DatetimeField(null=True)
    provider_message_id = fields.CharField(max_length=120, null=True)
    # Who the latest attempt handed it to (written with SENDING): SANDBOX means no customer ever receives it.
    delivery_provider = fields.CharEnumField(DeliveryProvider, max_length=8, null=True)
    delivery_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "messages"
        unique_together = (("conversation", "sequence"),)
        ordering = ["sequence"]
        # The delivery reconciler looks for outbound messages still QUEUED.
        indexes = (("delivery_status", "created_at"),)
