"""The short chaos run (bench/chaos.py --short): workers SIGKILLed (mid-turn and mid-delivery, against a
loopback provider that counts what reached the customer per message), Redis flushed, the API restarted and
PostgreSQL stalled under a stream of conversations — zero loss, zero duplicates at the provider, order
kept."""

import os
import re
import signal
import subprocess
import sys

import pytest

from backend.settings import PROJECT_ROOT


@pytest.mark.parametrize("policy", ["rules", "openai"])
def test_chaos_under_traffic_loses_nothing_and_duplicates_nothing(test_settings, policy):
    # Its own database on the suite's PostgreSQL server and a private Redis server (FLUSHALL stays there).
    # With the openai policy every turn calls the loopback model, so a worker SIGKILLed mid-turn dies between
    # model calls and tool effects: the retried turn must reuse what the first attempt booked or opened.
    env = {**os.environ, "AGENTOPS_DATABASE_URL": str(test_settings.database_url)}
    database = f"{test_settings.database_name}_chaos"  # beside the suite's database, never another run's
    # Its own process group: a run that outlasts its time is stopped with every process it started (API,
    # workers, provider), which would otherwise go on taking the next run's jobs.
    bench = subprocess.Popen(
        [
            sys.executable,
            str(PROJECT_ROOT / "bench" / "chaos.py"),
            "--short",
            "--policy",
            policy,
            "--database",
            database,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = bench.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(bench.pid, signal.SIGKILL)
        stdout, stderr = bench.communicate()
        pytest.fail(f"bench/chaos.py --short did not finish in 600 s:\n{stdout}{stderr[-3000:]}")
    run = subprocess.CompletedProcess(bench.args, bench.returncode, stdout, stderr)
    report = run.stdout + run.stderr[-3000:]
    assert run.returncode == 0, report
    assert "RESULT: zero loss, zero duplicates, order kept" in run.stdout, report
    assert "flushall" in run.stdout and "restart-api" in run.stdout and "kill" in run.stdout, report
    assert re.search(r"replies delivered twice at the provider +0\n", run.stdout), report
    assert re.search(r"of which [1-9]\d* when every worker was killed at once", run.stdout), (
        report
    )  # mid-delivery
