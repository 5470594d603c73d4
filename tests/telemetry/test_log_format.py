"""One log format per destination, for every logger of a real `agentops api` process (ours, uvicorn's,
Tortoise's): key-value lines on a terminal, JSON lines elsewhere or when AGENTOPS_LOG_JSON=true; per-request
lines at DEBUG."""

import json
import os
import re
import signal
import subprocess
import sys

import httpx
import pytest

from tests.helpers import free_port, wait_for_http
from tests.terminal import TerminalSession, log_lines

KEY_VALUE_LINE = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z \[(debug|info|warning|error)\s*\] \S+")


def _environment(port: int, **overrides: str) -> dict[str, str]:
    env = {
        name: value for name, value in os.environ.items() if name != "AGENTOPS_LOG_JSON"
    }  # the suite forces JSON
    return {**env, "AGENTOPS_API_PORT": str(port), **overrides}


def _exercise(base: str) -> None:
    assert httpx.get(f"{base}/healthz").status_code == 200
    assert httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}).status_code == 200


@pytest.mark.parametrize("forced_json", [False, True], ids=["terminal-default", "AGENTOPS_LOG_JSON=true"])
def test_on_a_terminal_lines_are_key_value_unless_json_is_asked_for(test_settings, forced_json):
    port = free_port()
    overrides = {"AGENTOPS_LOG_LEVEL": "DEBUG"} | ({"AGENTOPS_LOG_JSON": "true"} if forced_json else {})
    session = TerminalSession(["-m", "backend.cli.main", "api"], env=_environment(port, **overrides))
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=session.process)
        _exercise(f"http://127.0.0.1:{port}")
        session.wait_for("/graphql", timeout=10)  # its access line
    finally:
        session.process.send_signal(signal.SIGTERM)
        session.process.wait(timeout=30)
        session.close()
    lines = log_lines(session.output())
    if forced_json:
        records = [json.loads(line) for line in lines]  # every line, whatever logger wrote it
        assert {"uvicorn.error", "uvicorn.access", "tortoise", "backend.api.app"} <= {
            r["logger"] for r in records
        }
        return
    assert not [line for line in lines if line.startswith("{")], "a JSON line on a terminal"
    # Each record starts a line of its own; only a multi-line message continues, indented.
    assert all(KEY_VALUE_LINE.match(line) or line.startswith(" ") for line in lines), "\n".join(lines)
    written = "\n".join(lines)
    for logger in ("[uvicorn.error]", "[uvicorn.access]", "[tortoise]", "[backend.api.app]"):
        assert logger in written, f"no {logger} line:\n{written}"
    # Per-request lines are DEBUG: this process was asked for DEBUG, so they are here, at that level.
    assert re.search(r"\[debug\s*\] .*GET /healthz HTTP/1.1\" 200", written)


def test_off_a_terminal_every_line_is_json_and_requests_are_not_logged_at_info(test_settings, tmp_path):
    port = free_port()
    log_path = tmp_path / "api.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "backend.cli.main", "api"],
            env=_environment(port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process=process)
        for _ in range(5):
            _exercise(f"http://127.0.0.1:{port}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    records = [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]
    loggers = {record["logger"] for record in records}
    assert {"uvicorn.error", "backend.api.app"} <= loggers
    # INFO by default: not one line per request, nor Tortoise's start and stop with its object reprs.
    assert "uvicorn.access" not in loggers and "tortoise" not in loggers
    assert any(record["event"] == "api.started" and record["level"] == "info" for record in records)
