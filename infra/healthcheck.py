"""Container health checks: `python infra/healthcheck.py api|dashboard|worker` exits 0 when healthy, 1 when
not.

api and dashboard: /healthz (alive) and /readyz (can serve) both answer 200 on this container's own port.
worker: this host's worker has refreshed its heartbeat in Redis (jobs/heartbeat.py), so its loop is running.
Orchestrators with separate probes should use /healthz for liveness and /readyz for readiness instead.
"""

from __future__ import annotations

import socket
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4


def _answers_200(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (loopback, our URL)
            return None if answer.status == 200 else f"{url}: HTTP {answer.status}"
    except urllib.error.HTTPError as error:
        return f"{url}: HTTP {error.code}"
    except (urllib.error.URLError, OSError) as error:
        return f"{url}: {error}"


def check_http(port: int) -> list[str]:
    """Problems with /healthz and /readyz on this host's port (none when both answer 200)."""
    return [
        problem
        for path in ("/healthz", "/readyz")
        if (problem := _answers_200(f"http://127.0.0.1:{port}{path}"))
    ]


def check_worker() -> list[str]:
    """Problems with this host's worker heartbeat (none when at least one worker here is beating)."""
    import redis

    from backend.settings import get_settings
    from jobs.heartbeat import HEARTBEAT_PREFIX

    client = redis.Redis.from_url(
        str(get_settings().redis_url), socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
    try:
        beating = next(
            client.scan_iter(match=f"{HEARTBEAT_PREFIX}{socket.gethostname()}:*", count=1000), None
        )
    except (redis.RedisError, OSError) as error:
        return [f"redis: {error}"]
    finally:
        client.close()
    return [] if beating else [f"no heartbeat from a worker on {socket.gethostname()}"]


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in ("api", "dashboard", "worker"):
        print("usage: healthcheck.py api|dashboard|worker", file=sys.stderr)
        return 2
    if argv[1] == "worker":
        problems = check_worker()
    else:
        from backend.settings import get_settings

        settings = get_settings()
        problems = check_http(settings.api_port if argv[1] == "api" else settings.dashboard_port)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
