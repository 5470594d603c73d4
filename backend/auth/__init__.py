"""API keys, scopes and the caller of a request."""
