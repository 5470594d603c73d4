"""A drill: what was injected, for how long, by whom, and what it caused."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class SimulationKind(str, Enum):
    TOOL_OUTAGE = "TOOL_OUTAGE"  # a tool fails
    LATENCY_SPIKE = "LATENCY_SPIKE"  # the policy step is slowed
    POLICY_ERROR = "POLICY_ERROR"  # the policy step fails
    DELIVERY_FAILURE = "DELIVERY_FAILURE"  # outbound deliveries fail
    QUEUE_BACKLOG = "QUEUE_BACKLOG"  # processing jobs are slowed, so the queue grows
    PROMPT_REGRESSION = (
        "PROMPT_REGRESSION"  # turns answer with a worse prompt version (over-promising by default)
    )


class SimulationStatus(str, Enum):
    RUNNING = "RUNNING"
    FINISHED = "FINISHED"  # ran its whole duration
    STOPPED = "STOPPED"  # stopped early by an operator


class Simulation(Model):
    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(SimulationKind, max_length=20)
    status = fields.CharEnumField(SimulationStatus, max_length=10, default=SimulationStatus.RUNNING)
    intensity = fields.FloatField()  # 0–1: the share of passes that fail, or how hard they are slowed
    duration_seconds = fields.IntField()
    target = fields.CharField(
        max_length=60, null=True
    )  # the tool of a TOOL_OUTAGE, the prompt version of a regression
    traffic_per_second = fields.FloatField(default=0)
    started_by = fields.CharField(max_length=100)
    started_at = fields.DatetimeField(auto_now_add=True)
    ends_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)
    effects = fields.JSONField(
        default=dict
    )  # counted when it ends: turns by status, incidents, events sent …

    class Meta:
        table = "simulations"
        indexes = (("started_at", "id"), ("status", "kind"))
