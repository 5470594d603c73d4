"""The deployment files stay true to the code: settings example, compose wiring, container health checks."""

from __future__ import annotations

import re
import subprocess
import sys

import yaml

from backend.settings import PROJECT_ROOT, Settings
from tests.helpers import free_port

INFRA = PROJECT_ROOT / "infra"
HEALTHCHECK = INFRA / "healthcheck.py"
# Defaults that depend on the machine: the example states them relative to the repository.
MACHINE_DEPENDENT = {"data_dir", "eval_cassettes_dir"}


def _example_settings() -> dict[str, str]:
    """Every AGENTOPS_NAME=value line of infra/.env.example, commented out or not, by field name."""
    lines = (INFRA / ".env.example").read_text().splitlines()
    found = (re.match(r"^#?\s*AGENTOPS_([A-Z0-9_]+)=(.*)$", line) for line in lines)
    return {match[1].lower(): match[2].strip() for match in found if match}


def test_the_env_example_names_every_setting_and_states_its_default():
    example = _example_settings()
    assert sorted(example) == sorted(Settings.model_fields), (
        "infra/.env.example and backend/settings.py differ"
    )
    stated = {name: value for name, value in example.items() if value}
    parsed = Settings(_env_file=None, **stated)  # type: ignore[arg-type]  # every stated value is valid
    for name, field in Settings.model_fields.items():
        if name in stated and field.default is not None and name not in MACHINE_DEPENDENT:
            value = getattr(parsed, name)
            value = value.get_secret_value() if hasattr(value, "get_secret_value") else value
            assert value == field.default, (
                f"AGENTOPS_{name.upper()}: example {value!r}, default {field.default!r}"
            )


def test_compose_builds_targets_the_dockerfile_has_and_sets_only_real_settings():
    compose = yaml.safe_load((INFRA / "compose.yaml").read_text())
    stages = set(re.findall(r"^FROM \S+ AS (\w+)$", (INFRA / "Dockerfile").read_text(), re.M))
    services = compose["services"]
    built = {name: service["build"]["target"] for name, service in services.items() if "build" in service}
    assert built == {"migrate": "api", "api": "api", "worker": "worker", "dashboard": "dashboard"}
    assert set(built.values()) <= stages
    for name, service in services.items():
        for variable in service.get("environment", {}):
            if variable.startswith("AGENTOPS_"):
                assert variable.removeprefix("AGENTOPS_").lower() in Settings.model_fields, (
                    f"{name}: {variable}"
                )
    # The proxy's upstreams are compose services, on the ports their images listen on.
    upstreams = re.findall(r"server (\w+):(\d+) resolve;", (INFRA / "nginx.conf").read_text())
    assert upstreams == [("api", "8000"), ("dashboard", "3000")]
    assert services["api"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def _healthcheck(mode: str, **env: str) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), mode],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_the_api_container_check_passes_on_a_ready_api_and_fails_on_a_dead_port(live_api):
    assert _healthcheck("api", AGENTOPS_API_PORT=live_api.rsplit(":", 1)[1]).returncode == 0
    dead = _healthcheck("api", AGENTOPS_API_PORT=str(free_port()))
    assert dead.returncode == 1 and "/healthz" in dead.stderr and "/readyz" in dead.stderr


def test_the_worker_container_check_passes_while_a_worker_here_beats(workers):
    checked = _healthcheck("worker")
    assert checked.returncode == 0, checked.stderr
    unreachable = _healthcheck("worker", AGENTOPS_REDIS_URL="redis://127.0.0.1:1/0")
    assert unreachable.returncode == 1 and "redis" in unreachable.stderr
