"""Evaluator files: fixtures/evaluators/<name>/<version>.yaml, validated when loaded so a typo fails loudly.

    kind: rule | judge
    description: one line, what a low score means
    online: true          # scores sampled live turns unless AGENTOPS_QUALITY_EVALUATORS says otherwise
    pass_at: 1.0          # a score below this is a fail (the SLO and the "passed" column use it)
    rule: backed_claims   # rule only: which rule (backend/quality/rules); the evaluator's name by default
    params: {}            # rule only: the rule's params (an unknown one is an error)
    rubric: |             # judge only: the system prompt the judge model gets; its version is the file's

The version is the file's name: a new rubric or new params is a new file, so every stored score names exactly
what produced it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from backend.quality.rules import RuleEvaluator, build_rule
from backend.settings import PROJECT_ROOT

EVALUATORS_DIR = PROJECT_ROOT / "fixtures" / "evaluators"
NAME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")  # "quality:<name>" must fit a metric name (60)
VERSION = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")


class EvaluatorNotFound(LookupError):
    """No evaluator file with this name (and version)."""


class EvaluatorFileError(ValueError):
    """An evaluator file that does not say a valid evaluator; the message names the file and the problem."""


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["rule", "judge"]
    description: str = Field(min_length=3, max_length=300)
    online: bool = False
    pass_at: float = Field(default=1.0, ge=0, le=1)
    rule: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    rubric: str | None = Field(default=None, min_length=20, max_length=8000)

    @model_validator(mode="after")
    def _kind_fits(self) -> _File:
        if self.kind == "judge" and (self.rubric is None or self.rule is not None or self.params):
            raise ValueError("a judge has a rubric, and no rule or params")
        if self.kind == "rule" and self.rubric is not None:
            raise ValueError("a rule evaluator has no rubric")
        return self


@dataclass(frozen=True)
class Evaluator:
    name: str
    version: str
    kind: str  # "rule" | "judge"
    description: str
    online: bool
    pass_at: float
    rubric: str | None = None
    rule: RuleEvaluator | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def passed(self, score: float | None) -> bool | None:
        return None if score is None else score >= self.pass_at


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)) or (0,)


def available_versions(name: str, *, directory: Path = EVALUATORS_DIR) -> list[str]:
    """The versions of an evaluator on disk, oldest first."""
    if not NAME.match(name):
        raise EvaluatorNotFound(f"invalid evaluator name {name!r}")
    return sorted((path.stem for path in (directory / name).glob("*.yaml")), key=_version_key)


def evaluator_names(*, directory: Path = EVALUATORS_DIR) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.is_dir() and NAME.match(path.name))


@lru_cache(maxsize=128)
def load_evaluator(name: str, version: str | None = None, *, directory: Path = EVALUATORS_DIR) -> Evaluator:
    """An evaluator by name and version (the newest when version is None)."""
    versions = available_versions(name, directory=directory)
    if not versions:
        raise EvaluatorNotFound(f"no evaluator named {name!r} under {directory}")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise EvaluatorNotFound(f"evaluator {name!r} has no version {chosen!r} (have: {', '.join(versions)})")
    return parse_evaluator(name=name, version=chosen, path=directory / name / f"{chosen}.yaml")


def parse_evaluator(*, name: str, version: str, path: Path) -> Evaluator:
    """Read and check one evaluator file."""
    if not VERSION.match(version):
        raise EvaluatorFileError(f"{path}: invalid version {version!r}")
    try:
        spec = _File.model_validate(yaml.safe_load(path.read_text()))
    except ValidationError as error:
        raise EvaluatorFileError(f"{path}: {_problems(error)}") from None
    except yaml.YAMLError as error:
        raise EvaluatorFileError(f"{path}: not YAML: {error}") from None
    try:
        rule = build_rule(spec.rule or name, spec.params) if spec.kind == "rule" else None
    except ValidationError as error:
        raise EvaluatorFileError(f"{path}: {_problems(error, under='params.')}") from None
    except ValueError as error:
        raise EvaluatorFileError(f"{path}: {error}") from None
    return Evaluator(
        name=name,
        version=version,
        kind=spec.kind,
        description=spec.description,
        online=spec.online,
        pass_at=spec.pass_at,
        rubric=spec.rubric,
        rule=rule,
    )


def _problems(error: ValidationError, *, under: str = "") -> str:
    """Each problem on one line's worth: where and what ("params.strict: Extra inputs are not permitted")."""
    return "; ".join(
        f"{under}{'.'.join(str(part) for part in problem['loc']) or '(file)'}: {problem['msg']}"
        for problem in error.errors()
    )


def catalogue(*, directory: Path = EVALUATORS_DIR) -> list[Evaluator]:
    """The newest version of every evaluator on disk."""
    return [load_evaluator(name, directory=directory) for name in evaluator_names(directory=directory)]


def parse_selection(text: str) -> list[tuple[str, str | None]]:
    """ "backed_claims, helpfulness@v1" as (name, version or None) pairs; ValueError on a malformed entry."""
    chosen = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, _, version = entry.partition("@")
        if not NAME.match(name) or (version and not VERSION.match(version)):
            raise ValueError(f"bad evaluator {entry!r} (use name or name@version)")
        chosen.append((name, version or None))
    return chosen


@lru_cache(maxsize=8)
def online_evaluators(selection: str | None) -> tuple[Evaluator, ...]:
    """The evaluators that score sampled live turns: those `selection` (AGENTOPS_QUALITY_EVALUATORS) names,
    else every `online: true` one."""
    if selection is None:
        return tuple(evaluator for evaluator in catalogue() if evaluator.online)
    return tuple(load_evaluator(name, version) for name, version in parse_selection(selection))
