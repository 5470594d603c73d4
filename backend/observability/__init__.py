"""Logs now; metrics, SLOs and traces later."""
