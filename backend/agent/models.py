"""Every agent turn is an AgentRun with one ToolCall per tool it used: the record of what was decided and
why."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class RunStatus(str, Enum):
    OK = "OK"
    FAILED = "FAILED"
    HANDED_OFF = "HANDED_OFF"


class AgentRun(Model):
    id = fields.UUIDField(primary_key=True)
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="runs", on_delete=fields.CASCADE
    )
    # The inbound message this turn answers; unique, so a retried job cannot answer it twice.
    trigger_message = fields.OneToOneField(
        "agentops.Message", related_name="answered_by", null=True, on_delete=fields.SET_NULL
    )
    reply_message = fields.OneToOneField(
        "agentops.Message", related_name="written_by", null=True, on_delete=fields.SET_NULL
    )
    policy = fields.CharField(max_length=40)
    prompt_name = fields.CharField(max_length=80)
    prompt_version = fields.CharField(max_length=40)
    model = fields.CharField(max_length=120, null=True)
    intent = fields.CharField(max_length=20, null=True)
    status = fields.CharEnumField(RunStatus, max_length=12)
    latency_ms = fields.FloatField()
    prompt_tokens = fields.IntField(null=True)
    completion_tokens = fields.IntField(null=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    # A run of the demo's backdated history, never made by an agent (see Conversation.synthetic).
    synthetic = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "agent_runs"
        indexes = (
            ("created_at", "id"),
            ("status", "created_at", "id"),
            ("conversation_id", "created_at"),
            ("policy", "prompt_version", "created_at"),
        )


class ToolCall(Model):
    id = fields.UUIDField(primary_key=True)
    run = fields.ForeignKeyField("agentops.AgentRun", related_name="tool_calls", on_delete=fields.CASCADE)
    position = fields.IntField()
    name = fields.CharField(max_length=60)
    arguments = fields.JSONField(default=dict)
    result = fields.JSONField(null=True)
    error = fields.TextField(null=True)
    latency_ms = fields.FloatField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tool_calls"
        unique_together = (("run", "position"),)
        ordering = ["position"]


class ToolEffect(Model):
    """A tool call's answer, keyed "<trigger>:<call position>": a retried turn is answered with it, never
    redoes it.

    A side effect's row is written in the same short transaction as the effect (the booking, the ticket, the
    handoff); a read's row right after the read, so a retried turn sees what its first attempt saw and decides
    the same way (the slot it booked itself is not "taken" on the retry).
    """

    key = fields.CharField(max_length=200, primary_key=True)
    turn_key = fields.CharField(max_length=100, db_index=True)
    position = fields.IntField()
    tool = fields.CharField(max_length=60)
    arguments = fields.JSONField(default=dict)
    result = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "tool_effects"
