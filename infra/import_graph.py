"""Print the package-to-package import graph of the code (what import-linter checks, drawn whole).

    python infra/import_graph.py            # edges and the cycles between packages
    python infra/import_graph.py --edges    # every edge with one example import

A "package" is a top-level folder of `backend/` (or a module file directly in it), `jobs`, or a folder of
`frontend/`. The cycles are the strongly connected components of that graph: packages that all reach each
other.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import grimp

ROOTS = ("backend", "jobs", "frontend")


def package_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "jobs":
        return "jobs"
    return ".".join(parts[:2])


def package_edges(graph: grimp.ImportGraph) -> dict[tuple[str, str], tuple[str, str]]:
    edges: dict[tuple[str, str], tuple[str, str]] = {}
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            source, target = package_of(importer), package_of(imported)
            if source != target:
                edges.setdefault((source, target), (importer, imported))
    return edges


def cycles(edges) -> list[list[str]]:
    """Tarjan's strongly connected components, largest first; only those of two packages or more."""
    successors: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        successors[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(successors[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for node in sorted({node for edge in edges for node in edge}):
        if node not in index:
            visit(node)
    return sorted(components, key=len, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edges", action="store_true", help="list every edge with one example import")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    # As import-linter sees it (pyproject.toml): an import under `if TYPE_CHECKING:` never runs.
    graph = grimp.build_graph(*ROOTS, include_external_packages=False, exclude_type_checking_imports=True)
    edges = package_edges(graph)
    packages = sorted({package_of(module) for module in graph.modules})
    print(f"{len(packages)} packages, {len(edges)} package-to-package edges")
    if args.edges:
        for (source, target), (importer, imported) in sorted(edges.items()):
            print(f"  {source} -> {target}    ({importer} imports {imported})")
    components = cycles(edges)
    print(f"{len(components)} cycle(s) between packages")
    for component in components:
        print(f"  {len(component)} packages reach each other: {', '.join(component)}")


if __name__ == "__main__":
    main()
