"""The import contract (pyproject.toml ``[tool.importlinter]``, docs/architecture.md) is kept,
and no module of hub, live, library, evaluation or tiers takes part in an import cycle
(imports inside functions count)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("hub", "live", "library", "evaluation", "tiers")


def strongly_connected(graph) -> list[list[str]]:
    """The import cycles of ``graph``: its strongly connected components of more than one
    module (migrations left out), each sorted (Tarjan, iterative)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def successors(module: str) -> list[str]:
        return sorted(
            m for m in graph.find_modules_directly_imported_by(module) if ".migrations" not in m
        )

    for root in modules:
        if root in index:
            continue
        work = [(root, iter(successors(root)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors(child))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def describe(graph, component: list[str]) -> str:
    """The imports between the modules of a cycle, with their lines."""
    lines = [f"cycle of {len(component)} modules:"]
    for importer in component:
        for imported in component:
            if importer != imported and graph.direct_import_exists(
                importer=importer, imported=imported
            ):
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    lines.append(
                        f"  {importer} -> {imported} (l.{detail['line_number']}: "
                        f"{detail['line_contents']})"
                    )
    return "\n".join(lines)


def test_the_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_takes_part_in_an_import_cycle():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)
    cycles = strongly_connected(graph)
    report = "\n".join(describe(graph, component) for component in cycles)
    assert not cycles, report


def test_a_cycle_is_found_and_described():
    """The check above can fail: a hand-made graph with a cycle through three modules."""
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d", "pkg.migrations.m1"):
        graph.add_module(module)
    for importer, imported in [
        ("pkg.a", "pkg.b"),
        ("pkg.b", "pkg.c"),
        ("pkg.c", "pkg.a"),
        ("pkg.c", "pkg.d"),
        ("pkg.d", "pkg.migrations.m1"),
        ("pkg.migrations.m1", "pkg.d"),  # migrations are left out
    ]:
        graph.add_import(
            importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}"
        )
    cycles = strongly_connected(graph)
    assert cycles == [["pkg.a", "pkg.b", "pkg.c"]]
    assert "pkg.c -> pkg.a (l.1: import pkg.a)" in describe(graph, cycles[0])
