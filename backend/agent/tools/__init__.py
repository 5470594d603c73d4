"""The agent's tools: real, transactional, each described by a JSON schema for LLM policies."""
