"""Prometheus metrics of the API and the worker (prometheus-client's default registry, one per process)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

# API
HTTP_REQUESTS = Counter("agentops_http_requests", "HTTP requests answered", ["method", "route", "status"])
HTTP_SECONDS = Histogram(
    "agentops_http_request_seconds", "HTTP request duration", ["route"], buckets=LATENCY_BUCKETS
)
INGESTED = Counter("agentops_ingest_events", "Ingest answers by outcome", ["channel", "outcome"])

# Read from PostgreSQL and Redis when /metrics is scraped (so every replica reports the same truth).
QUEUE_DEPTH = Gauge("agentops_queue_depth", "Jobs waiting in the queue")
EVENTS_BY_STATUS = Gauge("agentops_ingest_events_by_status", "Accepted events by status", ["status"])
DEAD_LETTERS = Gauge("agentops_dead_letters", "Dead letters not replayed yet")
# UNCERTAIN replies and notifications wait for an operator (infra/runbook.md); alert on any above zero.
REPLIES_BY_DELIVERY_STATUS = Gauge(
    "agentops_replies_by_delivery_status", "Replies by delivery status (all but SENT)", ["status"]
)
NOTIFICATIONS_BY_STATUS = Gauge(
    "agentops_incident_notifications_by_status", "Incident notifications by status (all but SENT)", ["status"]
)

# Worker
JOBS = Counter("agentops_jobs", "Jobs finished, by function and outcome", ["function", "outcome"])
JOB_SECONDS = Histogram("agentops_job_seconds", "Job duration", ["function"], buckets=LATENCY_BUCKETS)
AGENT_TURN_SECONDS = Histogram(
    "agentops_agent_turn_seconds", "Agent turn latency", ["policy", "status"], buckets=LATENCY_BUCKETS
)
DELIVERIES = Counter(
    "agentops_deliveries",
    "Delivery jobs by channel and outcome (SENT, RETRY, FAILED, UNCERTAIN, ALREADY_DONE)",
    ["channel", "outcome"],
)
TOOL_CALLS = Counter("agentops_tool_calls", "Tool calls by tool and outcome", ["tool", "outcome"])

# Online evaluation (backend/quality): scores written by evaluator and label, the judge's calls by outcome
# (graded, budget_exhausted, endpoint_failed) and the tokens its graded calls used.
QUALITY_SCORES = Counter(
    "agentops_quality_scores", "Evaluator verdicts stored, by evaluator and label", ["evaluator", "label"]
)
JUDGE_CALLS = Counter(
    "agentops_judge_calls", "LLM judge calls by evaluator and outcome", ["evaluator", "outcome"]
)
JUDGE_TOKENS = Counter("agentops_judge_tokens", "Tokens the LLM judge's graded calls used", ["evaluator"])
