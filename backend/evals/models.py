"""Suites are content-addressed versions of the golden files; a run records one result per case."""

from enum import Enum

from tortoise import fields
from tortoise.models import Model


class EvalRunStatus(str, Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class ModelSource(str, Enum):
    """Where the openai policy's answers come from in an eval run (the rules policy needs none)."""

    LIVE = "live"  # the configured endpoint, nothing recorded
    RECORD = "record"  # the configured endpoint, each case's calls written to its cassette
    REPLAY = "replay"  # only the cassettes: the network is never touched


class EvalSuite(Model):
    id = fields.UUIDField(primary_key=True)
    name = fields.CharField(max_length=80)
    # sha256 of the suite's files (names and contents): an edited file is a new version, an unchanged one is
    # not.
    version = fields.CharField(max_length=64)
    case_count = fields.IntField()
    source = fields.CharField(max_length=20, default="files")  # files | created (from a conversation)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "eval_suites"
        unique_together = (("name", "version"),)
        indexes = (("name", "created_at"),)


class EvalCase(Model):
    id = fields.UUIDField(primary_key=True)
    suite = fields.ForeignKeyField("agentops.EvalSuite", related_name="cases", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=120)
    definition = fields.JSONField()
    known_gap = fields.TextField(null=True)

    class Meta:
        table = "eval_cases"
        unique_together = (("suite", "name"),)


class EvalRun(Model):
    id = fields.UUIDField(primary_key=True)
    suite = fields.ForeignKeyField("agentops.EvalSuite", related_name="runs", on_delete=fields.CASCADE)
    policy = fields.CharField(max_length=40)
    prompt_version = fields.CharField(max_length=40)
    model_source = fields.CharEnumField(ModelSource, max_length=10, null=True)  # None for the rules policy
    status = fields.CharEnumField(EvalRunStatus, max_length=10, default=EvalRunStatus.QUEUED)
    total = fields.IntField()
    passed = fields.IntField(default=0)
    failed = fields.IntField(default=0)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "eval_runs"
        indexes = (("created_at", "id"), ("suite_id", "created_at"))


class EvalCaseResult(Model):
    id = fields.UUIDField(primary_key=True)
    run = fields.ForeignKeyField("agentops.EvalRun", related_name="results", on_delete=fields.CASCADE)
    case = fields.ForeignKeyField("agentops.EvalCase", related_name="results", on_delete=fields.CASCADE)
    case_name = fields.CharField(max_length=120)
    passed = fields.BooleanField()
    failures = fields.JSONField(default=list)  # [{turn, expectation, expected, actual}]
    transcript = fields.JSONField(default=list)  # [{customer, reply, status}]
    tool_calls = fields.JSONField(default=list)  # [{turn, name, arguments, result, error}]
    violations = fields.JSONField(default=list)  # [{turn, stage, rule, action}]
    latency_ms = fields.FloatField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "eval_case_results"
        unique_together = (("run", "case"),)
