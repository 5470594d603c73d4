"""Batch loads for incidents' timelines and notifications, results in key order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from backend.incidents.models import IncidentEntry, IncidentNotification


async def load_timelines(incident_ids: Sequence[uuid.UUID]) -> list[list[IncidentEntry]]:
    """Each incident's entries, oldest first, in one query for all incidents."""
    grouped: dict[uuid.UUID, list[IncidentEntry]] = {incident_id: [] for incident_id in incident_ids}
    rows = await IncidentEntry.filter(incident_id__in=list(incident_ids)).order_by("created_at", "id")
    for entry in rows:
        grouped[entry.incident_id].append(entry)  # type: ignore[attr-defined]
    return [grouped[incident_id] for incident_id in incident_ids]


async def load_notifications(incident_ids: Sequence[uuid.UUID]) -> list[list[IncidentNotification]]:
    """Each incident's notifications, oldest first, in one query for all incidents."""
    grouped: dict[uuid.UUID, list[IncidentNotification]] = {incident_id: [] for incident_id in incident_ids}
    rows = await IncidentNotification.filter(incident_id__in=list(incident_ids)).order_by("created_at", "id")
    for notification in rows:
        grouped[notification.incident_id].append(notification)  # type: ignore[attr-defined]
    return [grouped[incident_id] for incident_id in incident_ids]
