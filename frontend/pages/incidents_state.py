"""Incidents' state: list and detail, worked by operators, kept current by the live feed's incident
updates."""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend import api
from frontend.components.charts import chart_series
from frontend.ids import global_id, node_id
from frontend.live.documents import INCIDENT_FIELDS
from frontend.state.calls import Refused, call_api, call_or_report, end_session
from frontend.views.formatting import detail_href, id_from_path, synthetic_flag

INCIDENTS = f"""
query Incidents($status: IncidentStatus) {{
  incidents(first: 50, status: $status) {{ edges {{ node {{ {INCIDENT_FIELDS} }} }} }}
}}
"""
INCIDENT = f"""
query Incident($id: ID!) {{
  node(id: $id) {{
    ... on Incident {{
      {INCIDENT_FIELDS}
      exampleConversations(first: 5) {{ id channel customer status lastMessage {{ text }} }}
      metrics {{ name channel stepSeconds points {{ at value }} }}
    }}
  }}
}}
"""
ACTIONS = {"acknowledge": "acknowledgeIncident", "resolve": "resolveIncident", "note": "addIncidentNote"}
ACTION_DOCUMENT = """
mutation Act($input: IncidentActionInput!) {{
  {field}(input: $input) {{
    __typename
    ... on IncidentPayload {{ incident {{ {fields} }} }}
    ... on NotFoundError {{ message }}
    ... on ValidationError {{ message }}
  }}
}}
"""
STATUS_FILTERS = ["ALL", "OPEN", "ACKNOWLEDGED", "RESOLVED"]


def _when(value: str | None) -> str:
    return value[:19].replace("T", " ") if value else ""


def incident_view(incident: dict[str, Any]) -> dict[str, Any]:
    """An incident as the pages show it."""
    return {
        "id": incident["id"],
        "plain_id": node_id(incident["id"]),
        "slo": incident["slo"],
        "severity": incident["severity"],
        "status": incident["status"],
        "summary": incident["summary"],
        "peak": f"{incident['peakBurnRate']:.1f}×",
        "opened": _when(incident["openedAt"]),
        "acknowledged": _when(incident["acknowledgedAt"]),
        "acknowledged_by": incident["acknowledgedBy"] or "",
        "resolved": _when(incident["resolvedAt"]),
        "opened_at": incident["openedAt"],
        "synthetic": synthetic_flag(incident.get("synthetic")),
        "timeline": [
            {**entry, "at": _when(entry["createdAt"]), "actor": entry["actor"] or "system"}
            for entry in incident["timeline"]
        ],
        "notifications": [
            {
                **sent,
                "at": _when(sent["sentAt"] or sent["createdAt"]),
                "response": str(sent["responseStatus"] or ""),
                "error": sent["lastError"] or "",
            }
            for sent in incident["notifications"]
        ],
    }


class IncidentsState(rx.State):
    incidents: list[dict[str, Any]] = []
    status_filter: str = "ALL"
    incident: dict[str, Any] = {}
    examples: list[dict[str, str]] = []
    charts: list[dict[str, Any]] = []
    note: str = ""
    message: str = ""
    error: str = ""

    @rx.event
    async def load_list(self):
        """Read the incidents (the live feed keeps them current afterwards)."""
        self.incident = {}
        status = None if self.status_filter == "ALL" else self.status_filter
        data = await call_or_report(self, INCIDENTS, {"status": status})
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.incidents = [incident_view(edge["node"]) for edge in data["incidents"]["edges"]]
        return None

    @rx.event
    async def filter_status(self, status: str):
        self.status_filter = status
        return await self.load_list()

    @rx.event
    async def load_detail(self):
        """Read the incident named in the address, with its links."""
        self.message, self.note = "", ""
        try:
            # The address holds the plain id (RouterData.page, deprecated, warned on every load).
            data = await call_api(
                self, INCIDENT, {"id": global_id("Incident", id_from_path(self.router.url.path))}
            )
        except api.SessionEnded:
            return await end_session(self)
        except api.ApiError as error:
            self.incident, self.error = {}, error.message
            return None
        found = data["node"]
        if found is None:
            self.incident, self.error = {}, "No incident with this id."
            return None
        self.error = ""
        self.incident = incident_view(found)
        self.examples = [
            {
                "id": row["id"],
                "href": detail_href("conversations", row["id"]),
                "channel": row["channel"],
                "customer": row["customer"],
                "status": row["status"],
                "text": ((row.get("lastMessage") or {}).get("text") or "")[:120],
            }
            for row in found["exampleConversations"]
        ]
        self.charts = chart_series(found["metrics"])
        return None

    def apply_update(self, kind: str, incident: dict[str, Any]) -> None:
        """An incident opened or changed (from the live feed or an action's answer)."""
        view = incident_view(incident)
        if self.incident.get("id") == view["id"]:
            self.incident = view
        shown = self.status_filter in ("ALL", view["status"])
        others = [row for row in self.incidents if row["id"] != view["id"]]
        rows = [view, *others] if shown else others
        self.incidents = sorted(rows, key=lambda row: row["opened_at"], reverse=True)

    @rx.event
    def set_note(self, text: str):
        self.note = text

    @rx.event
    async def act(self, action: str):
        """Operators: acknowledge, resolve or add the typed note."""
        note = self.note.strip() or None
        if action == "note" and not note:
            self.message = "Write a note first."
            return None
        document = ACTION_DOCUMENT.format(field=ACTIONS[action], fields=INCIDENT_FIELDS)
        data = await call_or_report(
            self, document, {"input": {"id": self.incident["id"], "note": note}}, report="message"
        )
        if isinstance(data, Refused):
            return data.answer
        result = data[ACTIONS[action]]
        if result["__typename"] != "IncidentPayload":
            self.message = result["message"]
            return None
        self.apply_update("incident", result["incident"])
        self.note = "" if action == "note" else self.note
        self.message = {"acknowledge": "Acknowledged.", "resolve": "Resolved.", "note": "Note added."}[action]
        return None
