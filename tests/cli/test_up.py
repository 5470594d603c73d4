"""`agentops up` on a machine with no PostgreSQL or Redis: it starts private ones, serves, and Ctrl-C stops
all.

It runs on a terminal (a pseudo-terminal), as a person runs it, and the test reads what that person sees:
fewer than 40 lines in the first minute with the demo running, every line readable (no JSON), and the banner
the last thing on screen, with the one summary line under it kept current.
"""

import os
import re
import signal
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import httpx

from backend.demo.seed import DEMO_CONVERSATIONS
from tests.helpers import free_port
from tests.terminal import TerminalSession

UNREACHABLE = {
    "AGENTOPS_DATABASE_URL": "postgres://postgres@127.0.0.1:1/agentops",
    "AGENTOPS_REDIS_URL": "redis://127.0.0.1:1/0",
}
OUTBOUND_AND_LOGS = (
    "AGENTOPS_LOG_",
    "AGENTOPS_SMS_",
    "AGENTOPS_CHAT_DELIVERY",
    "AGENTOPS_VOICE_DELIVERY",
    "AGENTOPS_INCIDENT_",
)
FIRST_MINUTE = 60.0
BANNER_LINES = 11  # from "AgentOps Studio is up" to "Press Ctrl-C to stop everything." (blank rows left out)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_up_without_services_starts_private_ones_serves_and_stops_on_ctrl_c(tmp_path):
    api_port, dashboard_port = free_port(), free_port()
    # As a person starts it: the log format is the terminal's (the suite forces JSON), and no outbound
    # endpoint is configured (the suite's point at a fake provider that may not be listening), as in the bare
    # demo.
    env = {name: value for name, value in os.environ.items() if not name.startswith(OUTBOUND_AND_LOGS)}
    env |= {
        **UNREACHABLE,
        "AGENTOPS_API_PORT": str(api_port),
        "AGENTOPS_DATA_DIR": str(tmp_path),
        "AGENTOPS_DASHBOARD_PORT": str(dashboard_port),
        "AGENTOPS_WORKER_METRICS_PORT": str(free_port()),
    }
    # Its own process group on its own terminal, like a terminal's foreground job: Ctrl-C signals the whole
    # group.
    session = TerminalSession(["-m", "backend.cli.main", "up"], env=env)
    up = session.process
    try:
        # The dashboard's production build comes first (a first build installs its JavaScript dependencies).
        output = session.wait_for("Press Ctrl-C", timeout=400)
        postgres_port = int(
            re.search(r"private one at postgres://[^@]+@127\.0\.0\.1:(\d+)/", output).group(1)
        )
        redis_port = int(re.search(r"valkey-server at redis://127\.0\.0\.1:(\d+)/", output).group(1))
        key = re.search(r"Demo admin API key : (\S+)", output).group(1)
        assert f"http://127.0.0.1:{api_port}/graphql" in output
        assert f"Dashboard          : http://127.0.0.1:{dashboard_port}" in output
        email, password = re.search(r"Dashboard login    : (\S+) / (\S+)", output).groups()
        login = httpx.post(
            f"http://127.0.0.1:{api_port}/graphql",
            json={
                "query": "mutation($i: LoginInput!) { login(input: $i) { __typename } }",
                "variables": {"i": {"email": email, "password": password}},
            },
        )
        assert login.json()["data"]["login"]["__typename"] == "LoginPayload"
        assert httpx.get(f"http://127.0.0.1:{dashboard_port}/login/").status_code == 200

        base = f"http://127.0.0.1:{api_port}"
        assert httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}).json() == {
            "data": {"__typename": "Query"}
        }
        # The demo traffic went through the ingest path; the worker turns it into conversations (the week of
        # backdated history ends ten minutes ago, so "active since the test started" is the fresh demo
        # traffic).
        since = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        query = (
            "query($since: DateTime!) { conversations(first: 100, filter: {activeAfter: $since}) { "
            "edges { node { customer messageCount } } } }"
        )
        deadline, conversations = time.monotonic() + 60, []
        while time.monotonic() < deadline and len(conversations) < DEMO_CONVERSATIONS:
            listed = httpx.post(
                f"{base}/graphql",
                json={"query": query, "variables": {"since": since}},
                headers={"Authorization": f"Bearer {key}"},
            ).json()
            conversations = listed["data"]["conversations"]["edges"]
            time.sleep(0.5)
        assert len(conversations) == DEMO_CONVERSATIONS
        # Every operations view has content on first start: a week of metrics and a worked, resolved incident.
        week_ago = (datetime.now(UTC) - timedelta(days=7)).isoformat()
        ops = httpx.post(
            f"{base}/graphql",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "query": 'query($from: DateTime!) { metrics(names: ["turns"], from: $from, step: 3600) { '
                "points { value } } "
                "incidents(first: 10) { edges { node { slo severity status synthetic acknowledgedBy "
                "timeline { kind } "
                "} } } }",
                "variables": {"from": week_ago},
            },
        ).json()["data"]
        assert len(ops["metrics"][0]["points"]) > 100
        # The demo week's page (the demo traffic just sent may have opened real incidents too: newer ones).
        page = next(
            edge["node"]
            for edge in ops["incidents"]["edges"]
            if edge["node"]["severity"] == "page" and edge["node"]["synthetic"]
        )
        assert page["status"] == "RESOLVED" and page["acknowledgedBy"]
        assert {"opened", "acknowledged", "note", "resolved"} <= {entry["kind"] for entry in page["timeline"]}
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        _what_a_person_sees(
            session, demo_events=int(re.search(r"Demo events        : (\d+)", output).group(1))
        )
    finally:
        os.killpg(up.pid, signal.SIGINT)
        up.wait(timeout=90)
        session.close()

    assert up.returncode == 0
    for port in (api_port, dashboard_port, postgres_port, redis_port):
        assert not _answers(port), f"port {port} still answers after Ctrl-C"
    time.sleep(0.5)
    try:
        os.killpg(up.pid, 0)
        survivors = subprocess.run(["pgrep", "-g", str(up.pid), "-a"], capture_output=True, text=True).stdout
        raise AssertionError(f"processes left in the group after Ctrl-C:\n{survivors}")
    except ProcessLookupError:
        pass


def _what_a_person_sees(session: TerminalSession, *, demo_events: int) -> None:
    """The first minute's line count, the format, and the screen: the banner last, the summary line under
    it."""
    time.sleep(
        max(0.0, FIRST_MINUTE + 6 - (time.monotonic() - session.started))
    )  # a summary refresh after it
    first_minute = session.output(within=FIRST_MINUTE)
    assert first_minute.count("\n") < 40, (
        f"{first_minute.count(chr(10))} lines in the first minute:\n{first_minute}"
    )
    assert session.output().count("\n") < 40  # and none since: the summary is rewritten in place
    assert not [line for line in session.output().splitlines() if line.strip("\r ").startswith("{")]

    rows = [row for row in session.screen() if row.strip()]
    top = max(index for index, row in enumerate(rows) if row.startswith("AgentOps Studio is up"))
    banner, after = rows[top : top + BANNER_LINES], rows[top + BANNER_LINES :]
    assert banner[-1] == "Press Ctrl-C to stop everything.", "\n".join(rows)
    assert len(after) == 1, "the banner is not the last thing on screen:\n" + "\n".join(rows)
    summary = after[0]
    assert re.fullmatch(
        rf"Since \d\d:\d\d:\d\d UTC: {demo_events} events accepted · \d+ turns · 0 failures · "
        r"queue depth 0",
        summary,
    ), summary
    assert int(re.search(r"(\d+) turns", summary).group(1)) > 0
