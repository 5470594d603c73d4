"""Guardrails: deterministic checks on customer text, agent replies and tool calls, configured per version."""
