"""The subscriptions the shared live feed holds open, and what each one's payload is called."""

CONVERSATION_FIELDS = """
  id channel customer status messageCount lastMessageAt
  lastMessage { text direction }
"""
METRICS_FIELDS = """
  at windowSeconds turns turnsPerMinute latencyP95Ms failureRate handoffRate
  openIncidents queueDepth deadLetters
"""

CONVERSATION_UPDATED = f"subscription {{ conversationUpdated {{ {CONVERSATION_FIELDS} }} }}"
LIVE_METRICS = f"subscription {{ liveMetrics {{ {METRICS_FIELDS} }} }}"

# kind of update -> (subscription document, field of its payload)
FEED_SUBSCRIPTIONS: dict[str, tuple[str, str]] = {
    "conversation": (CONVERSATION_UPDATED, "conversationUpdated"),
    "metrics": (LIVE_METRICS, "liveMetrics"),
}
