"""simulationChanged: every drill is announced as it starts and as it ends, to subscribers of any API process.

The drills are started and stopped through the in-process API, through the CLI, and ended by a worker at their
end; the subscriber listens on another API process (`live_api`), so the announcement crosses Redis.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

from backend.core.scopes import Scope
from backend.simulations.models import Simulation, SimulationStatus
from tests.helpers import graphql, next_payload, subscribe

START = """mutation($input: StartSimulationInput!) { startSimulation(input: $input) { __typename
  ... on SimulationPayload { simulation { id } } } }"""
STOP = "mutation($id: ID!) { stopSimulation(input: {id: $id}) { __typename } }"
SIMULATION_CHANGED = "subscription { simulationChanged { id kind status startedBy effects { turns } } }"


async def _subscribe(live_api: str, key: str):
    socket = await subscribe(live_api, key, SIMULATION_CHANGED)
    await asyncio.sleep(0.3)  # the subscription is listening before anything is published
    return socket


async def _next_change(socket) -> dict:
    return (await next_payload(socket))["data"]["simulationChanged"]


async def test_a_drill_is_announced_when_it_starts_and_when_it_is_stopped(app, client, make_key, live_api):
    key = await make_key(Scope.READ, Scope.OPERATE, name="on-call Ada")
    socket = await _subscribe(live_api, key)
    try:
        started = (
            await graphql(
                client, START, key=key, variables={"input": {"kind": "POLICY_ERROR", "durationSeconds": 600}}
            )
        ).json()["data"]["startSimulation"]["simulation"]
        heard = await _next_change(socket)
        assert heard == {
            "id": started["id"],
            "kind": "POLICY_ERROR",
            "status": "RUNNING",
            "startedBy": "on-call Ada",
            "effects": None,
        }

        await graphql(client, STOP, key=key, variables={"id": started["id"]})
        heard = await _next_change(socket)
        assert heard["id"] == started["id"] and heard["status"] == "STOPPED"
        assert heard["effects"] == {"turns": 0}  # what it caused is counted before it is announced
    finally:
        await socket.close()


async def test_a_drill_started_from_the_cli_is_announced_and_so_is_its_end_by_a_worker(
    app, make_key, live_api, workers
):
    key = await make_key(Scope.READ)
    socket = await _subscribe(live_api, key)
    try:
        result = await asyncio.to_thread(
            subprocess.run,
            [
                sys.executable,
                "-m",
                "backend.cli.main",
                "simulate",
                "LATENCY_SPIKE",
                "--duration",
                "1",
                "--intensity",
                "0.1",
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        started = await _next_change(socket)
        assert (started["kind"], started["status"], started["startedBy"]) == (
            "LATENCY_SPIKE",
            "RUNNING",
            "cli",
        )

        ended = await _next_change(socket)  # the worker's scheduled end, a second later
        assert ended["id"] == started["id"] and ended["status"] == "FINISHED" and ended["effects"] is not None
        assert [drill.status for drill in await Simulation.all()] == [SimulationStatus.FINISHED]
    finally:
        await socket.close()
