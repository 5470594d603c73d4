"""One evaluator's verdict on one agent run (a turn): a score, a label and why, and what produced it."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class ScoreTrigger(str, Enum):
    """Why the turn was scored online: drawn by the sample, or always (a guardrail hit, a failed run)."""

    SAMPLE = "SAMPLE"
    GUARDRAIL = "GUARDRAIL"
    FAILURE = "FAILURE"


class EvalScore(Model):
    id = fields.UUIDField(primary_key=True)
    run = fields.ForeignKeyField("agentops.AgentRun", related_name="scores", on_delete=fields.CASCADE)
    conversation = fields.ForeignKeyField(
        "agentops.Conversation", related_name="scores", on_delete=fields.CASCADE
    )
    evaluator = fields.CharField(max_length=40)
    # The evaluator file's version: for a judge, its rubric's (the prompt it was sent).
    version = fields.CharField(max_length=40)
    kind = fields.CharField(max_length=8)  # rule | judge
    score = fields.FloatField(
        null=True
    )  # 0..1, 1 best; null: skipped (over the judge's budget, endpoint failed)
    passed = fields.BooleanField(null=True)  # score >= the evaluator's pass_at; null when skipped
    label = fields.CharField(max_length=40)
    reason = fields.TextField()
    model = fields.CharField(max_length=120, null=True)  # the judge's model
    prompt_tokens = fields.IntField(null=True)
    completion_tokens = fields.IntField(null=True)
    trigger = fields.CharEnumField(ScoreTrigger, max_length=10)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "eval_scores"
        # A retried job scores a run once per evaluator version.
        unique_together = (("run", "evaluator", "version"),)
        indexes = (
            ("created_at", "id"),
            ("evaluator", "created_at"),  # quality SLOs and the rollup read one evaluator over a window
            ("conversation_id", "created_at"),
            ("label", "created_at"),
        )
