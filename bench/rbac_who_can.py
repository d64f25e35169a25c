"""Speed figures for "who can?" (console/rbac/who_can.py), in process, on a synthetic cluster's RBAC:
5,000 RoleBindings (by default) over many namespaces, tier-like ClusterRoles (one aggregated), Roles per
namespace, a few ClusterRoleBindings. Figures: building the index, and one question (who can create
pods/exec in a namespace) answered by the index alone and by who_can() without Keycloak or reviews.

Run: `.venv/bin/python bench/rbac_who_can.py [bindings …]` (default 5000 50000); prints figures, asserts nothing.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

from console.rbac.rbac_index import RbacIndex
from console.rbac.who_can import who_can

RBAC = "rbac.authorization.k8s.io"
BINDINGS_PER_NAMESPACE = 10
QUERY_RUNS = 50
TARGET_MS = 1000.0  # a question over 5,000 bindings, index build excluded


def _cluster_roles(extra: int) -> list[dict[str, Any]]:
    tiers = [
        ("viewer", [{"apiGroups": ["", "apps"], "resources": ["*"], "verbs": ["get", "list", "watch"]}]),
        ("developer", [{"apiGroups": [""], "resources": ["pods/exec", "pods/attach"], "verbs": ["get", "create"]}]),
        ("operator", [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]}]),
        ("admin", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
    ]
    roles = [
        {
            "kind": "ClusterRole",
            "metadata": {"name": f"tier-{name}", "labels": {"bench/aggregate-to-everyone": "true"}},
            "rules": rules,
        }
        for name, rules in tiers
    ]
    roles.append(
        {
            "kind": "ClusterRole",
            "metadata": {"name": "everyone", "labels": {}},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"bench/aggregate-to-everyone": "true"}}]},
            "rules": [],
        }
    )
    roles += [
        {
            "kind": "ClusterRole",
            "metadata": {"name": f"custom-{index}", "labels": {}},
            "rules": [{"apiGroups": [f"group{index}.example"], "resources": ["widgets"], "verbs": ["get", "list"]}],
        }
        for index in range(extra)
    ]
    return roles


def _subjects(index: int) -> list[dict[str, str]]:
    return [
        {"apiGroup": RBAC, "kind": "User", "name": f"oidc:user-{index}"},
        {"apiGroup": RBAC, "kind": "Group", "name": f"oidc:/teams/team-{index % 97}"},
        {"kind": "ServiceAccount", "name": f"robot-{index % 13}"},
    ]


def synthetic_objects(bindings: int, extra_cluster_roles: int = 200) -> dict[str, list[dict[str, Any]]]:
    """The four kinds' objects: `bindings` RoleBindings, BINDINGS_PER_NAMESPACE per namespace."""
    namespaces = max(1, bindings // BINDINGS_PER_NAMESPACE)
    tiers = ("tier-viewer", "tier-developer", "tier-operator", "tier-admin", "everyone")
    roles = [
        {
            "kind": "Role",
            "metadata": {"name": "local", "namespace": f"ns-{namespace}"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"], "resourceNames": ["app"]}],
        }
        for namespace in range(namespaces)
    ]
    role_bindings = []
    for index in range(bindings):
        namespace = f"ns-{index % namespaces}"
        local = index % 7 == 0
        role_bindings.append(
            {
                "kind": "RoleBinding",
                "metadata": {"name": f"binding-{index}", "namespace": namespace},
                "roleRef": {
                    "apiGroup": RBAC,
                    "kind": "Role" if local else "ClusterRole",
                    "name": "local" if local else tiers[index % len(tiers)],
                },
                "subjects": _subjects(index),
            }
        )
    cluster_bindings = [
        {
            "kind": "ClusterRoleBinding",
            "metadata": {"name": f"cluster-{index}"},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": tiers[index % len(tiers)]},
            "subjects": [{"apiGroup": RBAC, "kind": "User", "name": f"oidc:cluster-user-{index}"}],
        }
        for index in range(20)
    ]
    return {
        "cluster_roles": _cluster_roles(extra_cluster_roles),
        "roles": roles,
        "cluster_role_bindings": cluster_bindings,
        "role_bindings": role_bindings,
    }


def measure_who_can(bindings: int = 5000) -> dict[str, float]:
    """Index build and one question's time (median of QUERY_RUNS) over a synthetic cluster of `bindings`."""
    objects = synthetic_objects(bindings)
    started = time.perf_counter()
    index = RbacIndex.from_objects(
        objects["cluster_roles"], objects["roles"], objects["cluster_role_bindings"], objects["role_bindings"]
    )
    build = time.perf_counter() - started
    namespace = "ns-3"
    index_runs, answer_runs = [], []
    subjects = []
    for _ in range(QUERY_RUNS):
        started = time.perf_counter()
        subjects = index.subjects_that_can("create", "", "pods", namespace, subresource="exec")
        index_runs.append(time.perf_counter() - started)

    async def answer_all() -> int:
        people = 0
        for _ in range(QUERY_RUNS):
            started = time.perf_counter()
            answer = await who_can(index, "create", "", "pods", namespace, subresource="exec")
            answer_runs.append(time.perf_counter() - started)
            people = len(answer.people)
        return people

    people = asyncio.run(answer_all())
    started = time.perf_counter()
    cluster_wide = index.subjects_that_can("list", "", "pods", "")
    cluster_wide_ms = (time.perf_counter() - started) * 1000
    return {
        "bindings": float(index.binding_count),
        "cluster_roles": float(len(objects["cluster_roles"])),
        "build_ms": build * 1000,
        "query_ms": statistics.median(index_runs) * 1000,
        "query_max_ms": max(index_runs) * 1000,
        "who_can_ms": statistics.median(answer_runs) * 1000,
        "cluster_wide_query_ms": cluster_wide_ms,
        "subjects": float(len(subjects)),
        "people": float(people),
        "cluster_wide_subjects": float(len(cluster_wide)),
    }


def main(sizes: list[int]) -> None:
    for size in sizes:
        figures = measure_who_can(size)
        verdict = "ok" if figures["who_can_ms"] < TARGET_MS else "MISSED"
        print(
            f"{int(figures['bindings']):,} bindings, {int(figures['cluster_roles'])} ClusterRoles: "
            f"index built in {figures['build_ms']:.1f} ms; who can create pods/exec in one namespace: "
            f"index {figures['query_ms']:.3f} ms (max {figures['query_max_ms']:.3f}), who_can() "
            f"{figures['who_can_ms']:.3f} ms ({int(figures['subjects'])} subjects, {int(figures['people'])} people) "
            f"[target < {TARGET_MS:.0f} ms: {verdict}]; who can list pods cluster-wide: "
            f"{figures['cluster_wide_query_ms']:.3f} ms ({int(figures['cluster_wide_subjects'])} subjects)"
        )


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [5_000, 50_000])
