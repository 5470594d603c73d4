"""Versioned guardrail configs: fixtures/guardrails/<version>.yaml. The version used is recorded on each
violation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml

from backend.guardrails.enums import Action, Severity, Stage
from backend.guardrails.errors import GuardrailConfigError
from backend.guardrails.params import Params
from backend.guardrails.rules import RULES, Rule
from backend.settings import PROJECT_ROOT

GUARDRAILS_DIR = PROJECT_ROOT / "fixtures" / "guardrails"
# Only "v<N>" files are configs; other YAML beside them (samples.yaml) is not.
VERSION_NAME = re.compile(r"^v\d+(?:\.\d+)*$")
TOP_LEVEL_KEYS = {"version", "description", "rules"}
ENTRY_KEYS = {"rule", "stage", "action", "severity", "enabled", "params", "description"}
E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class ConfiguredRule:
    name: str
    stage: Stage
    action: Action
    severity: Severity
    enabled: bool
    rule: Rule  # built once with its parameters, so a turn's checks compile nothing


@dataclass(frozen=True)
class GuardrailConfig:
    version: str
    rules: tuple[ConfiguredRule, ...]

    def for_stage(self, stage: Stage) -> tuple[ConfiguredRule, ...]:
        """The enabled rules that watch this stage, in file order."""
        return tuple(entry for entry in self.rules if entry.enabled and entry.stage is stage)


def available_versions(*, directory: Path = GUARDRAILS_DIR) -> list[str]:
    """The config versions on disk, oldest first."""
    versions = [path.stem for path in directory.glob("*.yaml") if VERSION_NAME.match(path.stem)]
    return sorted(versions, key=lambda version: tuple(int(part) for part in re.findall(r"\d+", version)))


@lru_cache(maxsize=16)
def load_guardrails(version: str | None = None, *, directory: Path = GUARDRAILS_DIR) -> GuardrailConfig:
    """A guardrail config by version (the newest when version is None)."""
    versions = available_versions(directory=directory)
    if not versions:
        raise GuardrailConfigError(f"no guardrail config (v<N>.yaml) under {directory}")
    chosen = version or versions[-1]
    if chosen not in versions:
        raise GuardrailConfigError(f"no guardrail config version {chosen!r} (have: {', '.join(versions)})")
    path = directory / f"{chosen}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as problem:
        raise GuardrailConfigError(f"{path} is not valid YAML: {problem}") from problem
    return parse_guardrails(data=data, version=chosen, directory=directory)


def parse_guardrails(*, data: Any, version: str, directory: Path = GUARDRAILS_DIR) -> GuardrailConfig:
    """A config from its parsed YAML; raises GuardrailConfigError naming the first thing wrong."""
    if not isinstance(data, Mapping):
        raise GuardrailConfigError(
            f"guardrail config {version!r} must be a mapping with 'version' and 'rules'"
        )
    _no_unknown_keys(data, allowed=TOP_LEVEL_KEYS, where=f"guardrail config {version!r}")
    if str(data.get("version")) != version:
        raise GuardrailConfigError(f"guardrail config {version!r} says it is version {data.get('version')!r}")
    entries = data.get("rules")
    if not isinstance(entries, list) or not entries:
        raise GuardrailConfigError(f"guardrail config {version!r} needs a non-empty list of rules")
    rules = tuple(
        _entry(entry, position=position, directory=directory) for position, entry in enumerate(entries, 1)
    )
    seen: set[tuple[str, Stage]] = set()
    for entry in rules:
        if (entry.name, entry.stage) in seen:
            raise GuardrailConfigError(
                f"rule {entry.name!r} is configured twice for stage {entry.stage.value}"
            )
        seen.add((entry.name, entry.stage))
    return GuardrailConfig(version=version, rules=rules)


def _entry(entry: Any, *, position: int, directory: Path) -> ConfiguredRule:
    where = f"rule #{position}"
    if not isinstance(entry, Mapping):
        raise GuardrailConfigError(f"{where} must be a mapping, got {entry!r}")
    name = entry.get("rule")
    if name not in RULES:
        raise GuardrailConfigError(f"{where}: unknown rule {name!r} (known: {', '.join(sorted(RULES))})")
    where = f"rule {name!r}"
    _no_unknown_keys(entry, allowed=ENTRY_KEYS, where=where)
    kind = RULES[name]
    stage = _member(Stage, entry.get("stage"), what="stage", where=where)
    action = _member(Action, entry.get("action"), what="action", where=where)
    severity = _member(Severity, entry.get("severity"), what="severity", where=where)
    if stage not in kind.stages:
        allowed = ", ".join(sorted(allowed_stage.value for allowed_stage in kind.stages))
        raise GuardrailConfigError(f"{where} cannot run at stage {stage.value} (it checks: {allowed})")
    if action is Action.REDACT and not kind.redacts:
        raise GuardrailConfigError(f"{where} cannot REDACT: it finds no span to replace (use BLOCK or FLAG)")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise GuardrailConfigError(f"{where}: enabled must be true or false, got {enabled!r}")
    values = entry.get("params") or {}
    if not isinstance(values, Mapping):
        raise GuardrailConfigError(f"{where}: params must be a mapping, got {values!r}")
    params = Params(rule=name, values=values, directory=directory)
    rule = kind.from_params(params)
    params.finish()
    return ConfiguredRule(
        name=name, stage=stage, action=action, severity=severity, enabled=enabled, rule=rule
    )


def _member(enum: type[E], value: Any, *, what: str, where: str) -> E:
    allowed = [member.value for member in enum]
    if not isinstance(value, str) or value.upper() not in allowed:
        raise GuardrailConfigError(f"{where}: unknown {what} {value!r} (allowed: {', '.join(allowed)})")
    return enum(value.upper())


def _no_unknown_keys(data: Mapping[str, Any], *, allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise GuardrailConfigError(
            f"{where} has unknown keys {unknown} (allowed: {', '.join(sorted(allowed))})"
        )
