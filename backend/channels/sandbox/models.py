"""What the sandbox provider accepted: the messages a customer would have received had it been a real
provider."""

from tortoise import fields
from tortoise.models import Model

from backend.core.enums import Channel


class SandboxMessage(Model):
    """One reply the sandbox accepted, under our message id (its Idempotency-Key: a resend is not a second
    one)."""

    id = fields.UUIDField(primary_key=True)  # our message's id: the Idempotency-Key it was sent under
    # The provider's id for it, as a real provider answers with one ("SBX" + 32 hex digits, like Twilio's
    # "SM…").
    provider_id = fields.CharField(max_length=40, unique=True)
    channel = fields.CharEnumField(Channel, max_length=8)
    recipient = fields.CharField(max_length=128)
    thread = fields.CharField(max_length=200)
    text = fields.TextField()
    # Sends that named this message: more than one when an attempt that did not finish was settled by sending
    # again.
    requests = fields.IntField(default=1)
    accepted_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sandbox_messages"
        table_description = "Replies the built-in sandbox provider accepted (nothing reached a customer)."
        indexes = (("accepted_at", "id"), ("recipient", "accepted_at"))
