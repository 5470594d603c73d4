"""The layout as documented: README's "What is here" and docs/architecture.md name every backend package,
every folder they name exists, and tests/ mirrors backend/."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"
# Test folders with no backend package of their own: browser tests of the dashboard, the GraphQL fuzzer.
TEST_ONLY = {"dashboard", "fuzz"}


def _packages() -> set[str]:
    return {path.parent.name for path in BACKEND.glob("*/__init__.py")}


def _what_is_here() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("## What is here", 1)[1].split("\n## ", 1)[0]


def test_the_readme_and_the_architecture_page_name_every_backend_package():
    table, layout = _what_is_here(), (ROOT / "docs" / "architecture.md").read_text()
    for package in sorted(_packages()):
        named = f"`backend/{package}/`" in table or f"`{package}`" in table
        assert named, f"README's 'What is here' does not name backend/{package}/"
        assert f"`{package}`" in layout or f"`{package}/`" in layout or f"backend/{package}/" in layout, (
            f"docs/architecture.md's layout does not name backend/{package}/"
        )


def test_every_folder_the_readme_names_exists():
    for path in re.findall(
        r"`((?:backend|frontend|jobs|tests|fixtures|infra|docs|bench)/[\w./-]*)`", _what_is_here()
    ):
        if "<" not in path:
            assert (ROOT / path).exists(), f"README names {path}, which does not exist"


def test_tests_mirror_backend():
    test_folders = {path.parent.name for path in (ROOT / "tests").glob("*/__init__.py")}
    assert test_folders - _packages() <= TEST_ONLY, (
        f"test folders with no backend package: {test_folders - _packages() - TEST_ONLY}"
    )
