"""Run a command the way a person does, on a terminal (a pseudo-terminal), and read what it wrote and when."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Sequence

import pyte

COLUMNS, ROWS = 160, 60


class TerminalSession:
    """A process whose stdin, stdout and stderr are one pseudo-terminal; its output is collected with
    timestamps."""

    def __init__(
        self, args: Sequence[str], *, env: dict[str, str], columns: int = COLUMNS, rows: int = ROWS
    ) -> None:
        self.started = time.monotonic()
        self.chunks: list[tuple[float, bytes]] = []
        self.columns, self.rows = columns, rows
        primary, secondary = pty.openpty()
        termios.tcsetwinsize(secondary, (rows, columns))
        self.process = subprocess.Popen(
            [sys.executable, *args],
            env={**env, "COLUMNS": str(columns), "LINES": str(rows), "TERM": "xterm"},
            stdin=secondary,
            stdout=secondary,
            stderr=secondary,
            start_new_session=True,  # its own process group, like a terminal's foreground job
        )
        os.close(secondary)
        self._primary = primary
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self._primary, 65536)
            except OSError:  # EIO: every writer closed the terminal
                break
            if not chunk:
                break
            with self._lock:
                self.chunks.append((time.monotonic() - self.started, chunk))

    def output(self, *, within: float | None = None) -> str:
        """Everything written so far (or within the first `within` seconds), as text."""
        with self._lock:
            data = b"".join(chunk for at, chunk in self.chunks if within is None or at <= within)
        return data.decode("utf-8", errors="replace")

    def wait_for(self, marker: str, *, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.output()
            if marker in text:
                return text
            if self.process.poll() is not None:
                time.sleep(0.2)  # the last bytes
                break
            time.sleep(0.2)
        raise AssertionError(f"{marker!r} never printed; output so far:\n{self.output()[-3000:]}")

    def screen(self) -> list[str]:
        """What a terminal of this size shows now: its rows, trailing spaces removed."""
        screen = pyte.Screen(self.columns, self.rows)
        stream = pyte.Stream(screen)
        stream.feed(self.output().replace("\n", "\r\n").replace("\r\r\n", "\r\n"))
        return [row.rstrip() for row in screen.display]

    def close(self) -> None:
        self._reader.join(timeout=10)
        os.close(self._primary)


def log_lines(text: str) -> list[str]:
    """The non-empty lines of a terminal's output, without carriage returns."""
    return [line.strip("\r") for line in text.split("\n") if line.strip("\r").strip()]
