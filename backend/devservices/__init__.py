"""Make sure PostgreSQL and Redis are reachable, starting private ones if needed."""

from .ensure import ServiceEndpoints, ensure_services

__all__ = ["ServiceEndpoints", "ensure_services"]
