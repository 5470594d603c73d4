"""Typed settings, read from AGENTOPS_* environment variables and an optional .env file."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, PostgresDsn, RedisDsn, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.core.enums import Channel

ENV_PREFIX = "AGENTOPS_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every tunable of the product; the variable name is AGENTOPS_ + the field name in upper case."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: PostgresDsn = Field(default=PostgresDsn("postgres://postgres@127.0.0.1:5432/agentops"))
    redis_url: RedisDsn = Field(default=RedisDsn("redis://127.0.0.1:6379/0"))
    # Where private PostgreSQL / Redis servers keep their files when the configured ones are unreachable.
    data_dir: Path = PROJECT_ROOT / ".agentops"

    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Multiplies every SLO window and period (infra/slo.yaml): 0.001 plays an hour in 3.6 s for demos and
    # tests.
    slo_window_scale: float = Field(default=1.0, gt=0, le=1)
    # OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318); unset: no traces are exported.
    otlp_endpoint: str | None = None
    # JSON lines (true) or key-value lines (false); unset: JSON unless the log stream is a terminal.
    log_json: bool | None = None
    # How often a worker evaluates the SLOs and opens or resolves incidents (each minute's rollup is
    # separate).
    slo_evaluate_every_seconds: int = Field(default=20, ge=1, le=59)
    # Incident notifications: a Slack-compatible incoming webhook, a PagerDuty Events v2 endpoint (page
    # severity only), and a secret that signs both (X-AgentOps-Signature, like inbound webhooks). Unset: not
    # sent.
    incident_slack_webhook_url: str | None = None
    incident_pagerduty_url: str | None = None
    incident_pagerduty_routing_key: SecretStr | None = None
    incident_webhook_secret: SecretStr | None = None
    notification_attempts: int = Field(default=6, ge=1, le=20)
    # Where operators open the dashboard, for links in notifications.
    dashboard_public_url: str | None = None
    # Drills: how slow LATENCY_SPIKE (policy step) and QUEUE_BACKLOG (each job) get at intensity 1.
    simulation_max_policy_delay_ms: float = Field(default=5000, ge=0, le=60000)
    simulation_max_job_delay_ms: float = Field(default=3000, ge=0, le=60000)

    database_pool_size: int = Field(default=10, ge=1, le=200)
    # How long a validated API key is trusted before it is looked up again; bounds how late a revocation
    # takes effect on other replicas.
    api_key_cache_seconds: float = Field(default=3.0, ge=0, le=60)

    graphql_max_depth: int = Field(default=10, ge=2, le=50)
    graphql_max_tokens: int = Field(default=2000, ge=50)
    graphql_max_aliases: int = Field(default=15, ge=1)
    graphql_max_page_size: int = Field(default=100, ge=1, le=1000)
    graphiql: bool = True
    # How long a dashboard login lasts before the user must log in again.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # Login attempts per e-mail per minute, counted in Redis across replicas: slows password guessing.
    login_attempts_per_minute: int = Field(default=10, ge=1)
    # Largest request body any route accepts, refused with 413 before it is parsed (webhooks cap lower).
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)

    # Ingestion: bounds on what an adapter may send, and how hard.
    ingest_max_batch: int = Field(default=100, ge=1, le=1000)
    ingest_max_text_chars: int = Field(default=8000, ge=1)
    ingest_max_metadata_bytes: int = Field(default=4096, ge=2)
    ingest_max_future_seconds: int = Field(default=300, ge=0)
    # Group commit (backend/ingest/group_commit.py): accepts arriving within this many ms of each other share
    # one INSERT and one Redis round trip each way, up to this many events a group.
    ingest_group_wait_ms: float = Field(default=1.0, ge=0, le=100)
    ingest_group_max_events: int = Field(default=500, ge=1, le=10000)
    rate_limit_per_key_per_minute: int = Field(default=60000, ge=1)
    rate_limit_per_sender_per_minute: int = Field(default=120, ge=1)
    # Processing: attempts counts every try (SAQ's `retries`), backoff doubles from the delay up to the cap.
    process_attempts: int = Field(default=5, ge=1, le=50)
    # A process_event job's whole budget. Unset: derived so it covers waiting for one turn in flight on the
    # same conversation and then this event's own turn, every model round included (see `process_timeout`).
    process_timeout_seconds: int | None = Field(default=None, ge=1)
    # One turn in flight per conversation: the lease a turn holds, renewed while it runs; a killed worker's
    # conversations are free again after this long.
    turn_lease_seconds: float = Field(default=15.0, ge=1, le=600)
    process_retry_delay_seconds: float = Field(default=1.0, ge=0)
    process_retry_max_delay_seconds: float = Field(default=60.0, ge=0)
    reconcile_every_seconds: int = Field(default=15, ge=1, le=59)
    reconcile_stale_after_seconds: int = Field(default=30, ge=1)
    # Webhooks: secrets are optional; a webhook whose secret is unset answers 503 rather than accept unsigned
    # input.
    twilio_auth_token: SecretStr | None = None
    webhook_signing_secret: SecretStr | None = None
    webhook_tolerance_seconds: int = Field(default=300, ge=1)
    # The public URL Twilio calls, when the API sits behind a proxy that rewrites host or scheme.
    public_base_url: str | None = None
    ingest_stats_interval_seconds: float = Field(default=2.0, gt=0)
    # liveMetrics: how often the process's one producer recomputes the current values, over which window.
    live_metrics_interval_seconds: float = Field(default=3.0, gt=0)
    live_metrics_window_seconds: int = Field(default=300, ge=10, le=3600)

    # The agent: which policy answers, with which prompt, in which business time zone.
    agent_enabled: bool = True
    agent_policy: Literal["rules", "openai"] = "rules"
    agent_prompt: str = "support-agent"
    # Pinned: a newer prompt file (v2, an experiment) must win an eval comparison before it is deployed.
    agent_prompt_version: str | None = "v1"
    business_timezone: str = "America/New_York"
    guardrails_version: str | None = None  # fixtures/guardrails/<version>.yaml; None: the newest
    openai_base_url: str = "http://127.0.0.1:11434/v1"
    openai_api_key: SecretStr | None = None
    openai_model: str = "gpt-4o-mini"
    openai_timeout_seconds: float = Field(default=30.0, gt=0)
    openai_max_tool_rounds: int = Field(default=4, ge=1, le=10)
    # How much of the thread (messages, earlier tool calls and results) the model is sent, newest first.
    openai_memory_tokens: int = Field(default=3000, ge=200, le=200_000)
    # Recorded model answers for evals of the openai policy: <dir>/<suite>/<case>.json
    # (backend/agent/cassettes.py).
    eval_cassettes_dir: Path = PROJECT_ROOT / "fixtures" / "cassettes"
    # Eval cases one process plays at once, each on a pool connection held by its rolled-back transaction (at
    # most the pool size less one, so the results can always be written).
    eval_concurrency: int = Field(default=4, ge=1, le=100)
    # Online evaluation (backend/quality): the share of live turns scored by the enabled evaluators, in
    # background jobs after the turn commits. Per channel overrides, e.g. {"VOICE": 1.0}; a turn with a
    # guardrail hit or a failure is always scored when `quality_score_flagged` is on.
    quality_sample_rate: float = Field(default=0.2, ge=0, le=1)
    quality_sample_rates: dict[Channel, float] = Field(default_factory=dict)
    quality_score_flagged: bool = True
    # Which evaluators score live turns: "name" or "name@version", comma-separated; unset: every evaluator
    # file whose newest version says `online: true` (the rule evaluators; the judge needs a model, so it is
    # opt-in).
    quality_evaluators: str | None = None
    # The LLM judge: an OpenAI-compatible endpoint (default: the agent's), its model, and how many tokens its
    # calls may spend per minute across every worker; a call over the budget or failing is skipped and
    # counted.
    quality_judge_base_url: str | None = None
    quality_judge_model: str | None = None
    quality_judge_api_key: SecretStr | None = None
    quality_judge_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    quality_judge_tokens_per_minute: int = Field(default=20000, ge=0)
    # Judge answers for golden cases (evals): replayed from fixtures/cassettes/evaluators/ (default), recorded
    # from the endpoint, or asked live.
    quality_judge_cassettes: Literal["replay", "record", "live"] = "replay"
    # Outbound delivery per channel; unset means "record the reply, nothing to send it to".
    sms_api_base_url: str | None = None
    sms_account_sid: str | None = None
    sms_auth_token: SecretStr | None = None
    sms_from_number: str | None = None
    chat_delivery_url: str | None = None
    voice_delivery_url: str | None = None
    delivery_attempts: int = Field(default=5, ge=1, le=20)
    # The built-in sandbox provider (backend/channels/sandbox): on, it takes every channel with no endpoint
    # above, accepts replies like a provider would and records them, reaching no customer. Off unless set: a
    # deployment missing an endpoint must see FAILED, not a reply that looks sent. `agentops up` turns it on
    # for the demo.
    sandbox_delivery: bool = False
    # How long the sandbox takes to accept each reply, and the share of attempts it refuses like a provider
    # outage (503: nothing accepted, the attempt is retried with backoff).
    sandbox_latency_ms: float = Field(default=0, ge=0, le=10_000)
    sandbox_failure_rate: float = Field(default=0, ge=0, le=1)

    worker_concurrency: int = Field(default=10, ge=1, le=500)
    # Each worker serves /metrics here; when taken (several workers on one host) it tries the next ports. 0:
    # off.
    worker_metrics_port: int = Field(default=9464, ge=0, le=65535)
    worker_heartbeat_seconds: int = Field(default=10, ge=1, le=3600)

    # The dashboard (`agentops dashboard`): one port serves its pages and its state backend.
    dashboard_host: str = "127.0.0.1"
    dashboard_port: int = Field(default=3000, ge=1, le=65535)
    # The GraphQL endpoint the dashboard calls; unset: this machine's API (api_host:api_port).
    dashboard_api_url: str | None = None
    # A read-scoped key for the dashboard's one shared live feed; unset: `agentops dashboard` issues one.
    dashboard_api_key: SecretStr | None = None
    # An ingest-scoped key the Try it page sends customer messages with (held by the dashboard process, never
    # a browser); unset: `agentops dashboard` issues one.
    dashboard_ingest_key: SecretStr | None = None

    @field_validator("database_url")
    @classmethod
    def _database_has_name(cls, value: PostgresDsn) -> PostgresDsn:
        if not (value.path or "").strip("/"):
            raise ValueError("must name a database, e.g. postgres://user@host:5432/agentops")
        return value

    @field_validator("quality_sample_rates")
    @classmethod
    def _rates_are_shares(cls, value: dict[Channel, float]) -> dict[Channel, float]:
        for channel, rate in value.items():
            if not 0 <= rate <= 1:
                raise ValueError(f"the rate of {channel.value} must be between 0 and 1, not {rate}")
        return value

    @field_validator("sandbox_delivery")
    @classmethod
    def _no_sandbox_in_production(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("environment") == "production":
            raise ValueError("the sandbox reaches no customer: not with AGENTOPS_ENVIRONMENT=production")
        return value

    @field_validator("business_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Europe/Paris)") from None
        return value

    @property
    def turn_budget_seconds(self) -> float:
        """The longest one agent turn can take: every model round at its timeout, plus the database's
        share."""
        if self.agent_policy == "openai":
            return (self.openai_max_tool_rounds + 1) * self.openai_timeout_seconds + 5
        return 10.0

    @property
    def process_timeout(self) -> int:
        """The process_event job's timeout: the configured one, or room for a wait and a turn."""
        if self.process_timeout_seconds is not None:
            return self.process_timeout_seconds
        return max(30, math.ceil(2 * self.turn_budget_seconds))

    @property
    def dashboard_graphql_url(self) -> str:
        """Where the dashboard sends its GraphQL requests."""
        return self.dashboard_api_url or f"http://{self.api_host}:{self.api_port}/graphql"

    @property
    def database_name(self) -> str:
        return (self.database_url.path or "").strip("/")


class ConfigurationError(RuntimeError):
    """Raised when an AGENTOPS_* variable is wrong; the message names each variable."""


def format_settings_error(error: ValidationError) -> str:
    """Name each environment variable that is wrong and why, for a human."""
    lines = ["Invalid configuration:"]
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        lines.append(f"  {ENV_PREFIX}{field.upper()}: {problem['msg']} (got {problem.get('input')!r})")
    return "\n".join(lines)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; a wrong variable raises ConfigurationError naming it."""
    try:
        return Settings()
    except ValidationError as error:
        raise ConfigurationError(format_settings_error(error)) from None
