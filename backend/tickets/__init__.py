"""Support tickets opened by the agent (or an operator) when a problem needs follow-up."""
