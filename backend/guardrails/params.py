"""A rule's parameters from the config file, read with types checked and every unknown name reported."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from backend.guardrails.errors import GuardrailConfigError

E = TypeVar("E", bound=Enum)


class Params:
    def __init__(self, *, rule: str, values: Mapping[str, Any], directory: Path) -> None:
        self.rule = rule
        self.values = dict(values)
        self.directory = directory  # where files named in parameters are looked up
        self._read: set[str] = set()

    def integer(self, key: str, *, default: int, minimum: int = 0) -> int:
        """A whole number of at least `minimum`."""
        value = self._take(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self._error(key, f"must be a whole number >= {minimum}, got {value!r}")
        return value

    def strings(self, key: str, *, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        """A list of strings."""
        value = self._take(key, list(default))
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._error(key, f"must be a list of strings, got {value!r}")
        return tuple(value)

    def patterns(self, key: str, *, default: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
        """A list of regular expressions, matched ignoring case."""
        compiled = []
        for source in self.strings(key, default=default):
            try:
                compiled.append(re.compile(source, re.IGNORECASE))
            except re.error as problem:
                raise self._error(key, f"has an invalid pattern {source!r}: {problem}") from problem
        return tuple(compiled)

    def choices(self, key: str, *, enum: type[E], default: tuple[E, ...]) -> tuple[E, ...]:
        """A list of enum member names."""
        names = self.strings(key, default=tuple(member.value for member in default))
        allowed = [member.value for member in enum]
        unknown = [name for name in names if name not in allowed]
        if unknown:
            raise self._error(key, f"has unknown values {unknown} (allowed: {', '.join(allowed)})")
        return tuple(enum(name) for name in names)

    def file_lines(self, key: str) -> tuple[str, ...]:
        """The non-blank, non-comment lines of a file named relative to the config directory (none if
        unset)."""
        name = self._take(key, None)
        if name is None:
            return ()
        if not isinstance(name, str):
            raise self._error(key, f"must be a file name, got {name!r}")
        path = (self.directory / name).resolve()
        if not path.is_file():
            raise self._error(key, f"names {name!r}, which is not a file in {self.directory}")
        lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
        return tuple(line for line in lines if line)

    def defaulted(self) -> list[str]:
        """The parameters a reader asked for that the file does not set, so their code default applies."""
        return sorted(self._read - set(self.values))

    def finish(self) -> None:
        """Fail on parameters no reader asked for: a typo must not silently fall back to a default."""
        unknown = sorted(set(self.values) - self._read)
        if unknown:
            known = ", ".join(sorted(self._read)) or "none"
            raise GuardrailConfigError(
                f"rule {self.rule!r} has unknown parameters {unknown} (known: {known})"
            )

    def _take(self, key: str, default: Any) -> Any:
        self._read.add(key)
        return self.values.get(key, default)

    def _error(self, key: str, problem: str) -> GuardrailConfigError:
        return GuardrailConfigError(f"rule {self.rule!r}: parameter {key!r} {problem}")
