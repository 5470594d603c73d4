"""The screen of `agentops up`: its own lines, its processes' lines, and one summary line that stays at the
bottom.

`up` runs the API, the worker and the dashboard with their output piped to it, so one process writes the
screen. On a terminal the summary is a status line rewritten in place under the banner: the banner stays the
last thing on screen, and a warning or error from any process is printed above the status line. Elsewhere (a
pipe, a file, CI) the summary is an ordinary line, printed once a minute, in the log format of that stream.
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, TextIO

CLEAR_LINE = "\r\x1b[2K"


class UpConsole:
    """Writes lines to stdout/stderr without tearing the status line, from any thread."""

    def __init__(self, *, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._err = err or sys.stderr
        self.live = _is_terminal(self._out)  # a status line is only rewritten in place on a terminal
        self._lock = threading.Lock()
        self._status = ""

    @property
    def out(self) -> TextIO:
        return self._out

    @property
    def err(self) -> TextIO:
        return self._err

    def line(self, text: str, *, err: bool = False) -> None:
        """Print whole lines above the status line."""
        with self._lock:
            self._clear_status()
            stream = self._err if err else self._out
            stream.write(text if text.endswith("\n") else text + "\n")
            stream.flush()
            self._draw_status()

    def status(self, text: str) -> None:
        """Show the summary: rewritten in place on a terminal, else a line of its own."""
        if not self.live:
            self.line(text)
            return
        with self._lock:
            self._status = text
            self._draw_status()

    def close(self) -> None:
        """Leave the last status line on screen and the cursor on a fresh line."""
        with self._lock:
            if self.live and self._status:
                self._out.write("\n")
                self._out.flush()
            self._status = ""

    def _clear_status(self) -> None:
        if self.live and self._status:
            self._out.write(CLEAR_LINE)

    def _draw_status(self) -> None:
        if self.live and self._status:
            width = shutil.get_terminal_size((100, 24)).columns
            # A status line that wraps could not be rewritten in place: keep it within the width.
            self._out.write(CLEAR_LINE + self._status[: max(10, width - 1)])
            self._out.flush()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def relay(pipe: IO[bytes], *, write: Callable[[str], None]) -> threading.Thread:
    """Copy a child's output to the console line by line, in a daemon thread, until the child closes it."""

    def copy() -> None:
        with pipe:
            for raw in iter(pipe.readline, b""):
                write(raw.decode("utf-8", errors="replace").rstrip("\r\n"))

    thread = threading.Thread(target=copy, name="up-relay", daemon=True)
    thread.start()
    return thread


def summary_record(text: str, *, fields: dict[str, object], as_json: bool) -> str:
    """The summary as a line of the stream's log format (when it is not a status line on a terminal)."""
    if not as_json:
        return text
    return json.dumps(
        {
            **fields,
            "event": "up.summary",
            "level": "info",
            "logger": "agentops.up",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
    )


class ConsoleStream:
    """A text stream for `logging.StreamHandler` that writes whole lines through the console."""

    def __init__(self, console: UpConsole, *, err: bool) -> None:
        self._console = console
        self._err = err
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._console.line(line, err=self._err)
        return len(text)

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return _is_terminal(self._console.err if self._err else self._console.out)
