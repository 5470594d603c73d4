"""Durable ingestion of channel events: the first write of every customer message."""
