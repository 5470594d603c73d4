"""Outbound delivery: replies go out through a channel adapter, in their own retried job."""
