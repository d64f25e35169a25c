"""The dependency direction of the console's UI layers, read from the imports of every module.

Beside `tests/test_layers.py` (domain without Reflex, components without states, no top-level cycles):
`kube` never imports the UI; components never import pages or the layout; shared states never import
pages, the layout or components; the layout never imports a page; and no module imports itself back
through others even by an import inside a function (the inline import that dodges a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(CONSOLE.rglob("*.py"))}


def _imports(module: str) -> set[str]:
    """Every module this one imports (anywhere in it), resolved to our modules where it names one."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(), str(MODULES[module]))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(
                f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES
            )
    return found


GRAPH = {module: _imports(module) for module in MODULES}

FORBIDDEN = [
    ("console.kube", ("reflex", "console.state", "console.pages", "console.components", "console.layout")),
    ("console.components", ("console.state", "console.pages", "console.layout")),
    ("console.state", ("console.pages", "console.layout", "console.components")),
    ("console.layout", ("console.pages",)),
]


def _under(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


@pytest.mark.parametrize(("layer", "forbidden"), FORBIDDEN)
def test_a_layer_never_imports_what_sits_above_it(layer: str, forbidden: tuple[str, ...]):
    found = sorted(
        f"{module} imports {imported}"
        for module, imports in GRAPH.items()
        if _under(module, layer)
        for imported in imports
        if any(_under(imported, package) for package in forbidden)
    )
    assert found == []


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), among our own modules."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(GRAPH[module] & MODULES.keys()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(MODULES):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles():
    assert _cycles() == []


def test_the_scan_sees_the_ui_and_its_imports():
    assert "console.pages.resource_detail.state" in MODULES
    assert "console.pages.resource_detail.state" in GRAPH["console.pages.resource_detail.actions_state"]
    assert "console.kube.detail_service" in GRAPH["console.pages.resource_detail.state"]
