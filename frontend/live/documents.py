"""The subscriptions the shared live feed can hold open, by kind of update, and what each payload is
called."""

from __future__ import annotations

from typing import Any

from frontend.views.quality import SCORE_FIELDS

CONVERSATION_FIELDS = """
  id channel customer status messageCount lastMessageAt synthetic
  lastMessage { text direction }
"""
METRICS_FIELDS = """
  at windowSeconds turns turnsPerMinute latencyP95Ms failureRate handoffRate
  openIncidents queueDepth deadLetters
"""
INCIDENT_FIELDS = """
  id slo severity status summary peakBurnRate openedAt acknowledgedAt acknowledgedBy resolvedAt synthetic
  timeline { kind text actor createdAt }
  notifications { target action status attempts responseStatus lastError createdAt sentAt }
"""
EVAL_PROGRESS_FIELDS = "evalRunId done total passed status"
SIMULATION_FIELDS = """
  id kind status intensity durationSeconds tool trafficPerSecond startedBy startedAt endsAt endedAt
  effects { turns failedTurns handedOffTurns latencyP95Ms toolErrors failedDeliveries eventsSent
      incidentsOpened }
"""

CONVERSATION_UPDATED = f"subscription {{ conversationUpdated {{ {CONVERSATION_FIELDS} }} }}"
LIVE_METRICS = f"subscription {{ liveMetrics {{ {METRICS_FIELDS} }} }}"
INCIDENT_ALERTS = f"subscription {{ incidentAlerts {{ {INCIDENT_FIELDS} }} }}"
EVAL_RUN_PROGRESS = (
    f"subscription Progress($id: ID!) {{ evalRunProgress(id: $id) {{ {EVAL_PROGRESS_FIELDS} }} }}"
)
SIMULATION_CHANGED = f"subscription {{ simulationChanged {{ {SIMULATION_FIELDS} }} }}"
# A run once online evaluation stored its scores (a few seconds after the turn), with those scores.
RUN_SCORED = f"subscription {{ runScored {{ id conversation {{ id }} scores {{ {SCORE_FIELDS} }} }} }}"

# kind of update -> (subscription document, field of its payload)
FEED_SUBSCRIPTIONS: dict[str, tuple[str, str]] = {
    "conversation": (CONVERSATION_UPDATED, "conversationUpdated"),
    "metrics": (LIVE_METRICS, "liveMetrics"),
    "incident": (INCIDENT_ALERTS, "incidentAlerts"),
    "simulation": (SIMULATION_CHANGED, "simulationChanged"),
    "scored": (RUN_SCORED, "runScored"),
}
EVAL_PROGRESS = "eval_progress"


def eval_progress_kind(run_id: str) -> str:
    """The kind of update carrying one eval run's progress."""
    return f"{EVAL_PROGRESS}:{run_id}"


def subscription_for(kind: str) -> tuple[str, str, dict[str, Any]]:
    """The document, payload field and variables of one kind of update."""
    family, _, argument = kind.partition(":")
    if family == EVAL_PROGRESS and argument:
        return EVAL_RUN_PROGRESS, "evalRunProgress", {"id": argument}
    document, field = FEED_SUBSCRIPTIONS[kind]
    return document, field, {}


def family_of(kind: str) -> str:
    """`eval_progress` for `eval_progress:<id>`; the kind itself otherwise."""
    return kind.partition(":")[0]
