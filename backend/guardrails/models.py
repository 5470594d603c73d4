"""Every guardrail hit is kept: which rule, at which stage, what it did, on which run — with PII redacted."""

from tortoise import fields
from tortoise.models import Model


class GuardrailViolation(Model):
    id = fields.UUIDField(primary_key=True)
    stage = fields.CharField(max_length=8)  # INPUT, OUTPUT, TOOL
    rule = fields.CharField(max_length=60)
    severity = fields.CharField(max_length=10)
    action = fields.CharField(max_length=8)  # BLOCK, REDACT, FLAG
    run = fields.ForeignKeyField(
        "agentops.AgentRun", related_name="violations", null=True, on_delete=fields.CASCADE
    )
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="violations", null=True, on_delete=fields.CASCADE
    )
    message = fields.TextField()
    excerpt = fields.CharField(max_length=240)  # redacted before it is written
    config_version = fields.CharField(max_length=40)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "guardrail_violations"
        indexes = (
            ("created_at", "id"),
            ("rule", "created_at"),
            ("stage", "created_at"),
            ("conversation_id", "created_at"),
            ("run_id",),
        )
