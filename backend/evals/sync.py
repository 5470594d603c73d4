"""`agentops eval sync`: load fixtures/goldens/<suite>/*.yaml as content-hashed suite versions."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError
from tortoise.transactions import in_transaction

from backend.evals.golden import GoldenCase
from backend.evals.models import EvalCase, EvalSuite
from backend.settings import PROJECT_ROOT

GOLDENS_DIR = PROJECT_ROOT / "fixtures" / "goldens"


class GoldenError(ValueError):
    """A golden file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class SyncedSuite:
    name: str
    version: str
    cases: int
    created: bool


def read_suite(folder: Path) -> tuple[str, list[GoldenCase]]:
    """The suite's content hash and its validated cases, in file-name order."""
    digest = hashlib.sha256()
    cases = []
    for path in sorted(folder.glob("*.yaml")):
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw + b"\0")
        try:
            case = GoldenCase.model_validate(yaml.safe_load(raw))
        except (yaml.YAMLError, ValidationError) as error:
            raise GoldenError(f"{path.relative_to(PROJECT_ROOT)}: {error}") from None
        if case.name != path.stem:
            raise GoldenError(
                f"{path.relative_to(PROJECT_ROOT)}: name {case.name!r} differs from the file name"
            )
        cases.append(case)
    return digest.hexdigest(), cases


async def sync_suites(*, directory: Path = GOLDENS_DIR) -> list[SyncedSuite]:
    """Create a suite version for each suite folder whose files changed; unchanged ones create nothing."""
    synced = []
    # A few small local files, read once at start-up or on a sync: not worth a thread.
    folders = sorted(path for path in directory.iterdir() if path.is_dir())  # noqa: ASYNC240
    for folder in folders:
        version, cases = read_suite(folder)
        if not cases:
            continue
        existing = await EvalSuite.get_or_none(name=folder.name, version=version)
        if existing is None:
            async with in_transaction():
                suite = await EvalSuite.create(name=folder.name, version=version, case_count=len(cases))
                await EvalCase.bulk_create(
                    [
                        EvalCase(
                            suite=suite,
                            name=case.name,
                            definition=case.model_dump(mode="json"),
                            known_gap=case.known_gap,
                        )
                        for case in cases
                    ]
                )
        synced.append(
            SyncedSuite(name=folder.name, version=version, cases=len(cases), created=existing is None)
        )
    return synced


async def latest_suite(name: str) -> EvalSuite | None:
    """The newest version of a suite."""
    return await EvalSuite.filter(name=name).order_by("-created_at").first()
