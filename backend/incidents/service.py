"""Opening, updating and resolving incidents from SLO alerts, and the operator's actions on them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.core.topics import INCIDENT_CHANGED
from backend.db.keyset import Page, newest_first
from backend.db.lookup import rows_by_id
from backend.events.hub import EventHub
from backend.incidents.models import Incident, IncidentEntry, IncidentStatus
from backend.incidents.notifications import ACKNOWLEDGE, RESOLVE, TRIGGER, Notifier
from backend.observability.slo import SLO_FILE, FiringAlert, SloFile, SloStatus, counted_turns, load_slos
from backend.quality.rollup import MEAN_PREFIX, SCORED_PREFIX

# The series an incident links to, by SLO (infra/slo.yaml names).
LINKED_METRICS = {
    "turn_success": ("turns", "failure_rate", "tool_error_rate"),
    "turn_latency": ("turns", "latency_p95_ms", "latency_p99_ms"),
    "handoff_rate": ("turns", "handoff_rate"),
}


# The parsed SLO files by path, with the (mtime, size) they were read at: an incident's page asks for its
# metrics and example conversations on every view, and parsing the YAML (and its evaluators) each time was
# most of what those fields cost.
_parsed_slos: dict[Path, tuple[tuple[int, int], SloFile]] = {}


def current_slos(*, path: Path = SLO_FILE) -> SloFile:
    """The SLO file, parsed once per process and again whenever it changes on disk."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _parsed_slos.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_slos(path))
        _parsed_slos[path] = cached
    return cached[1]


def linked_metrics(slo_name: str) -> tuple[str, ...]:
    """The series an incident of this SLO links to: its evaluator's, for a quality SLO."""
    if slo_name in LINKED_METRICS:
        return LINKED_METRICS[slo_name]
    slo = next((s for s in current_slos().slos if s.name == slo_name), None)
    if slo is not None and slo.evaluator is not None:
        return (MEAN_PREFIX + slo.evaluator, SCORED_PREFIX + slo.evaluator)
    return ("turns", "failure_rate")


async def _publish(hub: EventHub | None, incident: Incident, change: str) -> None:
    if hub is not None:
        await hub.publish(INCIDENT_CHANGED, {"incidentId": str(incident.id), "change": change})


async def _announce(notifier: Notifier | None, incident: Incident, action: str) -> None:
    if notifier is not None:
        await notifier.announce(incident, action)


async def sync_incidents(
    *,
    statuses: list[SloStatus],
    hub: EventHub | None = None,
    notifier: Notifier | None = None,
    now: datetime | None = None,
    cooldowns: dict[str, timedelta] | None = None,
    synthetic: bool = False,
) -> list[Incident]:
    """Open one incident per firing (SLO, severity) that has none; resolve those whose alert stopped burning.

    `cooldowns` (by severity) is how long an alert must stay quiet before its incident resolves. `synthetic`
    is the demo's replay of its backdated week: it sees and opens only synthetic incidents, so a real incident
    open now is neither resolved nor reused by the past, and the live watch leaves the replay's alone — but
    resolves one the replay left open (its burn is days old).
    """
    now = now or datetime.now(UTC)
    changed = []
    firing: dict[tuple[str, str], tuple[SloStatus, FiringAlert]] = {}
    for status in statuses:
        for alert in sorted(status.firing, key=lambda alert: alert.threshold):
            firing[(status.name, alert.severity)] = (
                status,
                alert,
            )  # the fastest-burning rule of a severity wins
    unresolved = await Incident.exclude(status=IncidentStatus.RESOLVED)
    active = {(row.slo, row.severity): row for row in unresolved if row.synthetic == synthetic}
    left_by_a_replay = [] if synthetic else [row for row in unresolved if row.synthetic]
    for key, (status, alert) in firing.items():
        rate = max(burn.rate for burn in status.burn_rates if burn.window == alert.long_window)
        if key in active:
            incident = active[key]
            incident.last_burning_at, changed_fields = now, ["last_burning_at"]
            if rate > incident.peak_burn_rate:
                incident.peak_burn_rate = rate
                changed_fields.append("peak_burn_rate")
            await incident.save(update_fields=changed_fields)
            if "peak_burn_rate" in changed_fields:
                await IncidentEntry.create(
                    incident=incident,
                    kind="burn_rate",
                    text=f"Burn rate {rate:.1f}x over {alert.long_window}.",
                )
            continue
        try:
            async with in_transaction():
                incident = await Incident.create(
                    slo=status.name,
                    severity=alert.severity,
                    peak_burn_rate=rate,
                    last_burning_at=now,
                    synthetic=synthetic,
                    summary=(
                        f"{status.name}: burning {rate:.1f}x the error budget over {alert.long_window} "
                        f"(alert at {alert.threshold}x over {alert.long_window} and {alert.short_window})."
                    ),
                )
                await IncidentEntry.create(incident=incident, kind="opened", text=incident.summary)
        except IntegrityError:
            continue  # another worker's evaluation opened it a moment ago
        await _publish(hub, incident, "opened")
        await _announce(notifier, incident, TRIGGER)
        changed.append(incident)
    evaluated = {status.name for status in statuses}
    for incident in [*active.values(), *left_by_a_replay]:
        # Only SLOs this evaluation looked at: an incident of another SLO file (or a removed SLO) is not
        # "over".
        quiet_for = now - (incident.last_burning_at or incident.opened_at)
        if (
            incident.slo in evaluated
            and (incident.synthetic != synthetic or (incident.slo, incident.severity) not in firing)
            and quiet_for >= (cooldowns or {}).get(incident.severity, timedelta(0))
        ):
            await resolve_incident(
                incident_id=incident.id, actor=None, reason="The burn stopped.", hub=hub, notifier=notifier
            )
            changed.append(incident)
    return changed


async def acknowledge_incident(
    *, incident_id: uuid.UUID, actor: str, hub: EventHub | None = None, notifier: Notifier | None = None
) -> Incident | None:
    """Record who took the incident and when (only an OPEN incident can be acknowledged)."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None or incident.status != IncidentStatus.OPEN:
        return incident
    incident.status, incident.acknowledged_at, incident.acknowledged_by = (
        IncidentStatus.ACKNOWLEDGED,
        datetime.now(UTC),
        actor,
    )
    await incident.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    await IncidentEntry.create(
        incident=incident, kind="acknowledged", text=f"Acknowledged by {actor}.", actor=actor
    )
    await _publish(hub, incident, "acknowledged")
    await _announce(notifier, incident, ACKNOWLEDGE)
    return incident


async def resolve_incident(
    *,
    incident_id: uuid.UUID,
    actor: str | None,
    reason: str,
    hub: EventHub | None = None,
    notifier: Notifier | None = None,
) -> Incident | None:
    """Close the incident (by hand, or automatically when the burn stops); idempotent."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None or incident.status == IncidentStatus.RESOLVED:
        return incident
    incident.status, incident.resolved_at = IncidentStatus.RESOLVED, datetime.now(UTC)
    await incident.save(update_fields=["status", "resolved_at"])
    await IncidentEntry.create(incident=incident, kind="resolved", text=reason, actor=actor)
    await _publish(hub, incident, "resolved")
    await _announce(notifier, incident, RESOLVE)
    return incident


async def add_note(
    *, incident_id: uuid.UUID, actor: str, text: str, hub: EventHub | None = None
) -> Incident | None:
    """A note on the timeline."""
    incident = await Incident.get_or_none(id=incident_id)
    if incident is None:
        return None
    await IncidentEntry.create(incident=incident, kind="note", text=text, actor=actor)
    await _publish(hub, incident, "note")
    return incident


async def page_incidents(*, status: IncidentStatus | None, first: int, after: str | None) -> Page[Incident]:
    """Incidents, newest first."""
    query = Incident.filter(status=status) if status else Incident.all()
    return await newest_first(query, time_field="opened_at", first=first, after=after)


async def get_incident(*, incident_id: uuid.UUID) -> Incident | None:
    """The incident, or None."""
    return await Incident.get_or_none(id=incident_id)


async def example_conversation_ids(*, incident_id: uuid.UUID, limit: int) -> list[uuid.UUID]:
    """Conversations with a turn that counted against the incident's SLO while it was open (for a quality SLO,
    a turn its evaluator scored low)."""
    incident = await Incident.get_or_none(id=incident_id)
    slo = next((s for s in current_slos().slos if incident and s.name == incident.slo), None)
    if incident is None or slo is None:
        return []
    end = incident.resolved_at or datetime.now(UTC)
    turns, parameters = counted_turns(slo, parameter=4)
    sql = (  # nosec: the turns are fixed SQL from the SLO's kind, not from input
        f"SELECT conversation_id, max(created_at) AS at FROM ({turns}) counted"
        " WHERE created_at >= $1 AND created_at <= $2 AND bad"
        " GROUP BY conversation_id ORDER BY at DESC LIMIT $3"
    )
    params = [incident.opened_at - timedelta(minutes=10), end, limit, *parameters]
    rows = await connections.get("default").execute_query_dict(sql, params)
    return [row["conversation_id"] for row in rows]


async def get_incidents(*, incident_ids: list[uuid.UUID]) -> list[Incident | None]:
    """Incidents in the order of `incident_ids`, None where there is no such incident."""
    return await rows_by_id(Incident.all(), incident_ids)
