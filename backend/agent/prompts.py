"""Versioned prompt files: fixtures/prompts/<name>/<version>.md. The version used is stored on every run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from backend.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "fixtures" / "prompts"
_SAFE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")


class PromptNotFound(LookupError):
    """No prompt file with this name and version."""


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: str
    # Front-matter settings for policies that do not read prose (the rules policy), e.g. offer_count.
    options: dict = field(default_factory=dict)

    def render(self, **values: str) -> str:
        return self.template.format(**values)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def available_versions(name: str) -> list[str]:
    """The versions of a prompt on disk, oldest first."""
    if not _SAFE.match(name):
        raise PromptNotFound(f"invalid prompt name {name!r}")
    folder = PROMPTS_DIR / name
    return sorted((path.stem for path in folder.glob("*.md")), key=_version_key)


@lru_cache(maxsize=64)
def load_prompt(name: str, version: str | None = None) -> Prompt:
    """A prompt by name and version (the newest when version is None)."""
    versions = available_versions(name)
    if not versions:
        raise PromptNotFound(f"no prompt named {name!r} under {PROMPTS_DIR}")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise PromptNotFound(f"prompt {name!r} has no version {chosen!r} (have: {', '.join(versions)})")
    text = (PROMPTS_DIR / name / f"{chosen}.md").read_text()
    options: dict = {}
    if text.startswith("---\n"):
        header, _, text = text[4:].partition("\n---\n")
        options = yaml.safe_load(header) or {}
    return Prompt(name=name, version=chosen, template=text, options=options)
