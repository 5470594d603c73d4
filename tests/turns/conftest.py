"""The turn pipeline's tests run the pipeline (or an SAQ worker) in this process, on queues of their own."""

import psutil
import pytest


@pytest.fixture(autouse=True)
def paused_suite_workers():
    """Pause the suite's own `agentops worker` processes (if an earlier test started them) for this test.

    Their reconciler re-enqueues any event left RECEIVED for a couple of seconds onto the real queue, where
    the rules policy would answer it: these tests keep events RECEIVED for
    seconds on purpose (a slow model, a retry's backoff), and run the turns themselves.
    """
    workers = [
        child
        for child in psutil.Process().children(recursive=True)
        if "backend.cli.main" in " ".join(child.cmdline()) and "worker" in child.cmdline()
    ]
    for process in workers:
        process.suspend()
    yield
    for process in workers:
        process.resume()
