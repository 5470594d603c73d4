"""Channels customers write in on, and (later) their adapters, webhooks and delivery."""
