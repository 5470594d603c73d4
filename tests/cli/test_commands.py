"""The `agentops` command line: help everywhere, keys from the shell, clear configuration errors, the
worker."""

import os
import subprocess
import sys
import time

import pytest
import redis

from jobs.heartbeat import HEARTBEAT_PREFIX

COMMANDS = [
    [],
    ["up"],
    ["api"],
    ["worker"],
    ["migrate"],
    ["seed"],
    ["schema", "export"],
    ["keys", "create"],
    ["keys", "list"],
    ["keys", "revoke"],
    ["users", "create"],
    ["users", "list"],
    ["loopback-model"],
]


def agentops(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command) or "agentops")
def test_every_command_has_help(command):
    result = agentops(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_keys_create_list_revoke_from_the_shell(test_settings):
    created = agentops("keys", "create", "--name", "shell key", "--scope", "read", "--scope", "ingest")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip().splitlines()[-1]
    prefix = secret.split("_")[1]
    assert f"Created key {prefix} 'shell key' with scopes ingest, read." in created.stdout

    listed = agentops("keys", "list")
    line = next(line for line in listed.stdout.splitlines() if line.startswith(prefix))
    assert "shell key" in line and line.endswith("active")
    assert secret not in listed.stdout

    assert agentops("keys", "revoke", prefix).returncode == 0
    assert (
        next(
            line for line in agentops("keys", "list").stdout.splitlines() if line.startswith(prefix)
        ).split()[-3]
        == "revoked"
    )

    missing = agentops("keys", "revoke", "nosuchkey")
    assert missing.returncode == 1 and "No API key with prefix 'nosuchkey'" in missing.stderr


def test_users_create_and_list_from_the_shell(test_settings):
    created = agentops(
        "users", "create", "--email", "Ops@Example.com", "--role", "operator", "--password", "s3cret-pass"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "Created operator ops@example.com (API scopes: read, operate, ingest)."

    prompted = subprocess.run(
        [
            sys.executable,
            "-m",
            "backend.cli.main",
            "users",
            "create",
            "--email",
            "vi@example.com",
            "--role",
            "viewer",
        ],
        input="another-pass\nanother-pass\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert prompted.returncode == 0, prompted.stderr
    assert "another-pass" not in prompted.stdout

    listed = agentops("users", "list").stdout.splitlines()
    assert listed[0].split() == ["EMAIL", "ROLE", "CREATED", "LAST", "LOGIN"]
    mine = [line.split() for line in listed[1:] if line.split()[0] in ("ops@example.com", "vi@example.com")]
    assert [(row[0], row[1], row[-1]) for row in mine] == [
        ("ops@example.com", "operator", "never"),
        ("vi@example.com", "viewer", "never"),
    ]

    again = agentops(
        "users", "create", "--email", "ops@example.com", "--role", "admin", "--password", "whatever-1"
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    short = agentops("users", "create", "--email", "x@example.com", "--role", "admin", "--password", "short")
    assert short.returncode == 2 and "Invalid password" in short.stderr and "Traceback" not in short.stderr
    bad_role = agentops(
        "users", "create", "--email", "x@example.com", "--role", "root", "--password", "long-enough"
    )
    assert bad_role.returncode == 2


def test_unknown_scope_is_refused_by_the_cli():
    result = agentops("keys", "create", "--name", "x", "--scope", "root")
    assert result.returncode == 2
    assert "'root' is not one of" in result.stderr


def test_a_wrong_setting_names_the_variable():
    result = agentops(
        "migrate", env={"AGENTOPS_DATABASE_URL": "mysql://nowhere", "AGENTOPS_API_PORT": "99999"}
    )
    assert result.returncode == 2
    assert "AGENTOPS_DATABASE_URL" in result.stderr and "AGENTOPS_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_worker_starts_reports_a_heartbeat_and_stops_on_sigterm(test_settings):
    worker = subprocess.Popen(
        [sys.executable, "-m", "backend.cli.main", "worker"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "AGENTOPS_WORKER_HEARTBEAT_SECONDS": "1"},
    )
    client = redis.Redis.from_url(str(test_settings.redis_url))
    try:
        deadline = time.monotonic() + 30
        beats: list[bytes] = []
        while time.monotonic() < deadline and not beats:
            beats = [
                key
                for key in client.scan_iter(match=HEARTBEAT_PREFIX + "*")
                if key.endswith(f":{worker.pid}".encode())
            ]
            time.sleep(0.2)
        assert beats, "the worker never reported a heartbeat"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode()
        client.close()
    assert worker.returncode == 0, output[-2000:]
    assert '"worker.stopped"' in output
