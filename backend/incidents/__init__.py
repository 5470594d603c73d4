"""Incidents: opened by a firing SLO alert, worked OPEN → ACKNOWLEDGED → RESOLVED, with a timeline."""
