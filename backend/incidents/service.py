"""Opening, updating and resolving incidents from SLO alerts, and the operator's actions on them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from backend.db.keyset import Page, newest_first
from backend.events.hub import EventHub
from backend.incidents.models import Incident, IncidentEntry, IncidentStatus
from backend.observability.slo import SloStatus

INCIDENT_CHANGED = "incident.changed"


async def _publish(hub: EventHub | None, incident: Incident, change: str) -> None:
    if hub is not None:
        await hub.publish(INCIDENT_CHANGED, {"incidentId": str(incident.id), "change": change})


async def sync_incidents(*, statuses: list[SloStatus], hub: EventHub | None = None) -> list[Incident]:
    """Open one incident per firing (SLO, severity) that has none; resolve those whose alert stopped burning."""
    changed = []
    firing = {(status.name, alert.severity): (status, alert) for status in statuses for alert in status.firing}
    active = {(row.slo, row.severity): row for row in await Incident.exclude(status=IncidentStatus.RESOLVED)}
    for key, (status, alert) in firing.items():
        rate = max(burn.rate for burn in status.burn_rates if burn.window == alert.long_window)
        if key in active:
            incident = active[key]
            if rate > incident.peak_burn_rate:
                incident.peak_burn_rate = rate
                await incident.save(update_fields=["peak_burn_rate"])
                await IncidentEntry.create(incident=incident, kind="burn_rate",
                                           text=f"Burn rate {rate:.1f}x over {alert.long_window}.")
            continue
        async with in_transaction():
            incident = await Incident.create(
                slo=status.name, severity=alert.severity, peak_burn_rate=rate,
                summary=(f"{status.name}: burning {rate:.1f}x the error budget over {alert.long_window} "
                         f"(alert at {alert.threshold}x over {alert.long_window} and {alert.short_window})."),
            )
            await IncidentEntry.create(incident=incident, kind="opened", text=incident.summary)
        await _publish(hub, incident, "opened")
        changed.append(incident)
    for key, incident in active.items():
        if key not in firing:
            await resolve_incident(incident_id=incident.id, actor=None, reason="The burn stopped.", hub=hub)
            changed.append(incident)
    return changed


async def acknowledge_incident(*, incident_id: uuid.UUID, actor: str, hub: EventHub | None = None) -> Incident | None:
    """Record who took the incident and when (only an OPEN incident can be acknowledged)."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None or incident.status != IncidentStatus.OPEN:
        return incident
    incident.status, incident.acknowledged_at, incident.acknowledged_by = IncidentStatus.ACKNOWLEDGED, datetime.now(UTC), actor
    await incident.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    await IncidentEntry.create(incident=incident, kind="acknowledged", text=f"Acknowledged by {actor}.", actor=actor)
    await _publish(hub, incident, "acknowledged")
    return incident


async def resolve_incident(
    *, incident_id: uuid.UUID, actor: str | None, reason: str, hub: EventHub | None = None
) -> Incident | None:
    """Close the incident (by hand, or automatically when the burn stops); idempotent."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None or incident.status == IncidentStatus.RESOLVED:
        return incident
    incident.status, incident.resolved_at = IncidentStatus.RESOLVED, datetime.now(UTC)
    await incident.save(update_fields=["status", "resolved_at"])
    await IncidentEntry.create(incident=incident, kind="resolved", text=reason, actor=actor)
    await _publish(hub, incident, "resolved")
    return incident


async def add_note(*, incident_id: uuid.UUID, actor: str, text: str, hub: EventHub | None = None) -> Incident | None:
    """A note on the timeline."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None:
        return None
    await IncidentEntry.create(incident=incident, kind="note", text=text, actor=actor)
    await _publish(hub, incident, "note")
    return incident


async def timeline(*, incident_id: uuid.UUID) -> list[IncidentEntry]:
    """An incident's entries, oldest first."""
    return await IncidentEntry.filter(incident_id=incident_id).order_by("created_at")


async def page_incidents(*, status: IncidentStatus | None, first: int, after: str | None) -> Page[Incident]:
    """Incidents, newest first."""
    query = Incident.filter(status=status) if status else Incident.all()
    return await newest_first(query, time_field="opened_at", first=first, after=after)


async def get_incident(*, incident_id: uuid.UUID) -> Incident | None:
    return await Incident.get_or_none(id=incident_id)


async def get_incidents(*, incident_ids: list[uuid.UUID]) -> list[Incident | None]:
    """Incidents in the order of `incident_ids`, None where there is no such incident."""
    found = {row.id: row for row in await Incident.filter(id__in=incident_ids)}
    return [found.get(incident_id) for incident_id in incident_ids]
