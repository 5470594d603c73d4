"""The `agentops` command line."""
