"""The architecture's import rules, checked on the source: layers stay layers as the code grows.

- the domain core (kube, identity, compliance, rbac, topology, audit, streams) never imports Reflex;
- the console database (console/database) uses Reflex only through `reflex.model` (with sqlmodel, sqlalchemy,
  alembic), never the pages, states, layout or components; the domain core never imports it (it declares
  the stores it needs, the database implements them);
- the console never imports the sandbox (only `console demo`/`console sandbox` load it, inside the command);
- the sandbox never imports the console;
- components (shared ones and each feature's) never import a state;
- no import cycles between the console's modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = ROOT / "console"
SANDBOX = ROOT / "sandbox" / "sovereign_sandbox"
DOMAIN_CORE = ("kube", "identity", "compliance", "rbac", "topology", "audit", "streams")


@dataclass(frozen=True, slots=True)
class Import:
    module: str  # the imported module, absolute
    line: int
    top_level: bool  # at module level (not inside a function), outside `if TYPE_CHECKING:`


def _module_name(path: Path) -> str:
    base = SANDBOX.parent if path.is_relative_to(SANDBOX) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]

    def visit(nodes: list[ast.stmt], top_level: bool) -> Iterator[Import]:
        for node in nodes:
            if isinstance(node, ast.Import):
                yield from (Import(alias.name, node.lineno, top_level) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([node.module] if node.module else []))
                else:
                    base = node.module or ""
                yield Import(base, node.lineno, top_level)
                # `from console.state import session` imports the module console.state.session
                yield from (Import(f"{base}.{alias.name}", node.lineno, top_level) for alias in node.names)
            elif isinstance(node, ast.If) and _is_type_checking(node):
                yield from visit(node.body, False)
                yield from visit(node.orelse, top_level)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(node.body, False)
            elif isinstance(node, ast.ClassDef | ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []):
                        yield from visit(child.body if isinstance(child, ast.ExceptHandler) else [child], top_level)

    yield from visit(tree.body, True)


def _sources(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def _defines_state(path: Path) -> bool:
    """Whether the module defines a Reflex state (a class whose bases mention `State`)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name.endswith("State") or name.endswith("Events"):
                    return True
    return False


CONSOLE_SOURCES = _sources(CONSOLE)
MODULES = {_module_name(path): path for path in CONSOLE_SOURCES}
STATE_MODULES = {name for name, path in MODULES.items() if _defines_state(path)}


def _is_component_module(name: str) -> bool:
    parts = name.split(".")
    return "components" in parts


def test_the_domain_core_never_imports_reflex():
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name, path in MODULES.items()
        if name.split(".")[1:2] and name.split(".")[1] in DOMAIN_CORE
        for imp in _imports(path)
        if imp.module == "reflex" or imp.module.startswith("reflex.")
    ]
    assert offenders == []


def test_the_database_layer_uses_reflex_only_for_its_models():
    modules = [name for name in MODULES if name.split(".")[1:2] == ["database"]]
    assert modules, "console/database not found: the layout changed, update this test"
    ui = tuple(f"console.{layer}" for layer in ("pages", "state", "layout", "components"))
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name in modules
        for imp in _imports(MODULES[name])
        if (
            (imp.module == "reflex" or imp.module.startswith("reflex."))
            and imp.module.split(".")[:2] != ["reflex", "model"]
        )
        or imp.module in ui
        or imp.module.startswith(tuple(f"{layer}." for layer in ui))
        or imp.module == "console.console"
    ]
    assert offenders == []


def test_the_domain_core_never_imports_the_database():
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name, path in MODULES.items()
        if name.split(".")[1:2] and name.split(".")[1] in DOMAIN_CORE
        for imp in _imports(path)
        if imp.module == "console.database" or imp.module.startswith("console.database.")
    ]
    assert offenders == []


def test_the_console_never_imports_the_sandbox_except_in_its_two_commands():
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name, path in MODULES.items()
        for imp in _imports(path)
        if imp.module.split(".")[0] in ("sovereign_sandbox", "console.sandbox")
        or imp.module.startswith("console.sandbox")
        if not (name == "console.cli" and not imp.top_level)
    ]
    assert offenders == []
    assert not (CONSOLE / "sandbox").exists(), "the sandbox lives in its own distribution (sandbox/)"


def test_the_sandbox_never_imports_the_console():
    offenders = [
        f"{_module_name(path)}:{imp.line} imports {imp.module}"
        for path in _sources(SANDBOX)
        for imp in _imports(path)
        if imp.module == "console" or imp.module.startswith("console.")
    ]
    assert offenders == []


def test_components_never_import_a_state():
    components = [name for name in MODULES if _is_component_module(name)]
    assert components, "no component modules found: the layout changed, update this test"
    offenders = [
        f"{name}:{imp.line} imports {imp.module}"
        for name in components
        for imp in _imports(MODULES[name])
        if imp.module in STATE_MODULES
    ]
    assert offenders == []


def test_no_import_cycles_between_console_modules():
    graph = {
        name: sorted({imp.module for imp in _imports(path) if imp.top_level and imp.module in MODULES} - {name})
        for name, path in MODULES.items()
    }
    cycles = _cycles(graph)
    assert cycles == [], "\n".join(" → ".join(cycle) for cycle in cycles)


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            # a package's __init__ re-exporting its modules is not a cycle worth reporting
            if node.startswith(target + "."):
                continue
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found
