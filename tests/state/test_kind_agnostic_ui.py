"""Pages, states, components, the layout and `kube/actions.py` never branch on a kind's name: they ask the kind.

An honest source scan: every comparison (`==`, `!=`, `in`) against a string that is a registered kind's
Kubernetes kind or id, and the retired kind lists, fail the test with the file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

from console.kube.registry import KINDS

CONSOLE = Path(__file__).resolve().parents[2] / "console"
SCANNED = [
    *sorted((CONSOLE / "pages").rglob("*.py")),
    *sorted((CONSOLE / "state").rglob("*.py")),
    *sorted((CONSOLE / "components").rglob("*.py")),
    *sorted((CONSOLE / "layout").rglob("*.py")),
    CONSOLE / "kube" / "actions.py",
]
KIND_NAMES = {kind.kind for kind in KINDS.values()} | set(KINDS)
RETIRED = ("LOGS_KINDS", "LOG_KINDS", "METRICS_KINDS", "WORKLOAD_KINDS", "SCALABLE", "RESTARTABLE", "FLUX_API_MARK")
RETIRED += ("is_flux_kind", "kind_kind", "_is_secret")
EQUALITY = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)  # `x is None` says nothing about which kind x is


def _strings(node: ast.AST) -> set[str]:
    """String constants in a compared value, also inside tuples, sets, lists and `frozenset({...})`."""
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _kind_comparisons(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Compare) or not any(isinstance(op, EQUALITY) for op in node.ops):
            continue
        named = set().union(*(_strings(side) for side in (node.left, *node.comparators))) & KIND_NAMES
        compares_kind = any(
            isinstance(side, ast.Attribute) and side.attr == "kind" for side in (node.left, *node.comparators)
        )
        if named or compares_kind:
            found.append(f"{path.relative_to(CONSOLE.parent)}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_scan_covers_the_ui_and_knows_the_kind_names():
    assert len(SCANNED) > 30
    assert {"Pod", "Secret", "Service", "Deployment", "HelmRelease", "pods", "secrets"} <= KIND_NAMES


def test_no_comparison_against_a_kind_name():
    found = [line for path in SCANNED for line in _kind_comparisons(path)]
    assert found == []


def test_no_retired_kind_lists():
    found = [
        f"{path.relative_to(CONSOLE.parent)}:{number}: {line.strip()}"
        for path in SCANNED
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if any(name in line for name in RETIRED)
    ]
    assert found == []


def test_the_scan_would_see_a_kind_branch():
    tree = ast.parse('if kind.kind == "Pod" or kind_id in ("pods",) or x != "Secret": pass')
    compares = [node for node in ast.walk(tree) if isinstance(node, ast.Compare)]
    assert all(set().union(*(_strings(s) for s in (c.left, *c.comparators))) & KIND_NAMES for c in compares)
