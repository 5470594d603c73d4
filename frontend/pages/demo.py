"""Demo control: start and stop drills (with synthetic traffic), see what each caused, reseed the demo.

The drills follow the live feed's `simulation` updates: a drill started or ended anywhere (another tab, the
API, `agentops simulate`, a worker at its end) shows here as it happens.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from frontend.components.feedback import error_callout
from frontend.components.layout import page_frame
from frontend.components.tables import data_table
from frontend.live.documents import SIMULATION_FIELDS
from frontend.live.registry import live_feed
from frontend.state.auth import AuthState
from frontend.state.calls import Refused, call_or_report

KINDS = [
    "TOOL_OUTAGE",
    "LATENCY_SPIKE",
    "POLICY_ERROR",
    "DELIVERY_FAILURE",
    "QUEUE_BACKLOG",
    "PROMPT_REGRESSION",
]
DRILLS_SHOWN = 20
SIMULATIONS = (
    f"query Drills {{ simulations(first: {DRILLS_SHOWN}) {{ edges {{ node {{ {SIMULATION_FIELDS} }} }} }} }}"
)
START = f"""
mutation Start($input: StartSimulationInput!) {{
  startSimulation(input: $input) {{
    __typename
    ... on SimulationPayload {{ simulation {{ {SIMULATION_FIELDS} }} }}
    ... on ValidationError {{ field message }}
    ... on NotFoundError {{ message }}
  }}
}}
"""
STOP = f"""
mutation Stop($input: StopSimulationInput!) {{
  stopSimulation(input: $input) {{
    __typename
    ... on SimulationPayload {{ simulation {{ {SIMULATION_FIELDS} }} }}
    ... on NotFoundError {{ message }}
    ... on ValidationError {{ message }}
  }}
}}
"""
RESEED = "mutation { reseedDemo { slotsAdded eventsAccepted evalRuns historyConversations } }"


def _drill(simulation: dict[str, Any]) -> dict[str, Any]:
    effects = simulation["effects"]
    caused = (
        "still running"
        if effects is None
        else (
            f"{effects['turns']} turns, {effects['failedTurns']} failed, {effects['toolErrors']} tool "
            "errors, "
            f"{effects['failedDeliveries']} failed deliveries, {effects['eventsSent']} events sent, "
            f"{len(effects['incidentsOpened'])} incident(s) opened"
        )
    )
    return {
        "id": simulation["id"],
        "kind": simulation["kind"],
        "status": simulation["status"],
        "settings": f"{simulation['durationSeconds']} s at {simulation['intensity']:g}"
        + (f", tool {simulation['tool']}" if simulation["tool"] else "")
        + f", {simulation['trafficPerSecond']:g} conversations/s",
        "started": simulation["startedAt"][:19].replace("T", " "),
        "by": simulation["startedBy"],
        "effects": caused,
        "started_at": simulation["startedAt"],
    }


class DemoState(rx.State):
    drills: list[dict[str, Any]] = []
    kind: str = "TOOL_OUTAGE"
    message: str = ""
    error: str = ""
    reseeding: bool = False

    @rx.event
    async def load(self):
        """Read the drills, newest first, then follow them live."""
        data = await call_or_report(self, SIMULATIONS)
        if isinstance(data, Refused):
            return data.answer
        self.error = ""
        self.drills = [_drill(edge["node"]) for edge in data["simulations"]["edges"]]
        live_feed.watch(self.router.session.client_token, "simulation", page=DemoState)
        return None

    def apply_update(self, kind: str, simulation: dict[str, Any]) -> None:
        """A drill started or ended (from the live feed, or the answer to starting one here)."""
        drill = _drill(simulation)
        others = [row for row in self.drills if row["id"] != drill["id"]]
        self.drills = sorted([drill, *others], key=lambda row: row["started_at"], reverse=True)[:DRILLS_SHOWN]

    @rx.event
    def choose_kind(self, kind: str):
        self.kind = kind

    @rx.event
    async def start(self, form: dict[str, str]):
        """Operators: start a drill; the fault lifts by itself at the end."""
        try:
            drill = {
                "kind": self.kind,
                "durationSeconds": int(form.get("duration") or 60),
                "intensity": float(form.get("intensity") or 1),
                "trafficPerSecond": float(form.get("traffic") or 0),
            }
        except ValueError:
            self.message = "Duration, intensity and traffic are numbers."
            return None
        if self.kind == "TOOL_OUTAGE" and form.get("tool"):
            drill["tool"] = form["tool"]
        data = await call_or_report(self, START, {"input": drill}, report="message")
        if isinstance(data, Refused):
            return data.answer
        result = data["startSimulation"]
        if result["__typename"] != "SimulationPayload":
            self.message = f"{result.get('field', '')}: {result['message']}".lstrip(": ")
            return None
        self.message = f"{self.kind} started."
        self.apply_update("simulation", result["simulation"])
        return None

    @rx.event
    async def stop(self, simulation_id: str):
        """Operators: end a running drill now."""
        data = await call_or_report(self, STOP, {"input": {"id": simulation_id}}, report="message")
        if isinstance(data, Refused):
            return data.answer
        result = data["stopSimulation"]
        if result["__typename"] != "SimulationPayload":
            self.message = result["message"]
            return None
        self.message = "Drill stopped."
        self.apply_update("simulation", result["simulation"])
        return None

    @rx.event
    async def reseed(self):
        """Admins: a fresh round of demo conversations, and any missing history."""
        self.reseeding, self.message = True, ""
        yield
        data = await call_or_report(self, RESEED, report="message")
        if isinstance(data, Refused):
            self.reseeding = False
            if data.answer is not None:
                yield data.answer
            return
        done = data["reseedDemo"]
        self.reseeding = False
        self.message = (
            f"Sent {done['eventsAccepted']} demo events, added {done['slotsAdded']} slots, "
            f"{done['evalRuns']} eval runs and {done['historyConversations']} backdated conversations."
        )


def _drill_form() -> rx.Component:
    field = lambda label, name, value: rx.vstack(  # noqa: E731
        rx.text(label, size="1"),
        rx.input(name=name, default_value=value, width="7rem", id=f"drill-{name}"),
        spacing="1",
    )
    return rx.card(
        rx.heading("Start a drill", size="4"),
        rx.form(
            rx.hstack(
                rx.vstack(
                    rx.text("Kind", size="1"),
                    rx.select(KINDS, value=DemoState.kind, on_change=DemoState.choose_kind, id="drill-kind"),
                    spacing="1",
                ),
                field("Seconds", "duration", "60"),
                field("Intensity (0–1]", "intensity", "1"),
                field("Traffic / s", "traffic", "5"),
                rx.cond(DemoState.kind == "TOOL_OUTAGE", field("Tool", "tool", "check_availability")),
                rx.button(rx.icon("zap", size=14), "Start drill", type="submit", id="drill-start"),
                align="end",
                wrap="wrap",
            ),
            on_submit=DemoState.start,
        ),
        rx.text(
            "Traffic sends synthetic booking requests through the real ingest path while the fault holds.",
            size="1",
            color_scheme="gray",
        ),
        width="100%",
    )


def _drill_row(drill: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(drill["started"], size="1")),
        rx.table.cell(rx.code(drill["kind"])),
        rx.table.cell(
            rx.badge(
                drill["status"],
                color_scheme=rx.cond(drill["status"] == "RUNNING", "red", "gray"),
                class_name="drill-status",
            )
        ),
        rx.table.cell(rx.text(drill["settings"], size="1")),
        rx.table.cell(rx.text(drill["effects"], size="1")),
        rx.table.cell(rx.text(drill["by"], size="1")),
        rx.table.cell(
            rx.cond(
                AuthState.can_operate & (drill["status"] == "RUNNING"),
                rx.button(
                    "Stop",
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=DemoState.stop(drill["id"]),
                    class_name="drill-stop",
                ),
            )
        ),
        class_name="drill-row",
        data_drill_id=drill["id"],
    )


def demo_page() -> rx.Component:
    return page_frame(
        "Demo control",
        error_callout(DemoState.error),
        rx.cond(DemoState.message != "", rx.callout(DemoState.message, icon="info", id="demo-message")),
        # Hidden from viewers; the API refuses them anyway (scopes `operate` and `admin`).
        rx.cond(AuthState.can_operate, _drill_form()),
        rx.cond(
            AuthState.role == "ADMIN",
            rx.card(
                rx.hstack(
                    rx.vstack(
                        rx.heading("Generate demo traffic", size="4"),
                        rx.text(
                            "Reseed: a fresh round of demo conversations through the ingest path, and any "
                            "missing "
                            "eval and operations history.",
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="1",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("sprout", size=14),
                        "Reseed demo",
                        on_click=DemoState.reseed,
                        loading=DemoState.reseeding,
                        id="reseed-demo",
                    ),
                    align="center",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        rx.card(
            rx.heading("Drills", size="4"),
            data_table(
                ("Started (UTC)", "Kind", "Status", "Settings", "Effects", "By", ""),
                DemoState.drills,
                _drill_row,
                body_id="drill-list",
            ),
            width="100%",
        ),
    )
