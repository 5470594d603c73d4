"""Demo data for `agentops seed` and `make up`."""
