"""The RBAC authorizer's index follows each write: after any sequence of RBAC writes it answers exactly as a
freshly built authorizer over the same store (decisions and their reasons, rule lists, aggregated ClusterRoles,
resolution errors)."""

from __future__ import annotations

import random
from typing import Any

from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.auth.authorization import Attributes
from sovereign_sandbox.auth.rbac import RbacAuthorizer
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.storage.resources import ResourceType

GROUP = "rbac.authorization.k8s.io"
RBAC = f"{GROUP}/v1"
NAMESPACES = ("dev", "prod", "ops")
CLUSTER_ROLE_NAMES = tuple(f"cr-{index}" for index in range(10)) + ("agg-a", "agg-b", "agg-c")
ROLE_NAMES = ("r-0", "r-1", "r-2")
BINDING_NAMES = tuple(f"b-{index}" for index in range(8))
USERS = ("alice", "bob", "carol")
GROUPS = ("team", "ops", "system:serviceaccounts:dev")
LABELS = ({}, {"agg": "a"}, {"agg": "b"}, {"agg": "a", "tier": "x"}, {"tier": "y"})
RULES = (
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]},
    {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["db"], "verbs": ["*"]},
    {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["*"]},
    {"apiGroups": ["*"], "resources": ["*/scale"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["create", "delete"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["list"]},
    {"nonResourceURLs": ["/metrics", "/logs/*"], "verbs": ["get"]},
)
SELECTORS = (
    {"matchLabels": {"agg": "a"}},
    {"matchLabels": {"agg": "b"}},
    {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["x", "y"]}]},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
    {"matchExpressions": [{"key": "agg", "operator": "NotIn", "values": ["a"]}, {"key": "tier", "operator": "Exists"}]},
)
QUESTIONS = (
    Attributes("get", "", "pods", namespace="dev", name="web"),
    Attributes("list", "", "pods"),
    Attributes("get", "", "secrets", namespace="prod", name="db"),
    Attributes("delete", "", "secrets", namespace="prod", name="other"),
    Attributes("patch", "apps", "deployments", "scale", "ops", "web"),
    Attributes("update", "batch", "jobs", "scale", "dev", "job"),
    Attributes("delete", "", "configmaps", namespace="dev", name="x"),
    Attributes("list", "", "nodes"),
    Attributes("get", path="/metrics"),
    Attributes("get", path="/logs/kube-apiserver.log"),
)


def _resource(cluster: Cluster, plural: str) -> ResourceType:
    resource = cluster.catalogue.get(GROUP, "v1", plural)
    assert resource is not None
    return resource


def _identities() -> list[User]:
    robot = User("system:serviceaccount:dev:robot", ("system:serviceaccounts", "system:serviceaccounts:dev"))
    people = [User(name, (group, "system:authenticated")) for name in USERS for group in GROUPS[:2]]
    return [*people, User("dave", ()), robot]


def _answers(authorizer: RbacAuthorizer) -> list[Any]:
    answers: list[Any] = []
    for user in _identities():
        for question in QUESTIONS:
            for namespace in ("", *NAMESPACES) if question.resource and question.namespace else (question.namespace,):
                asked = Attributes(
                    question.verb,
                    question.group,
                    question.resource,
                    question.subresource,
                    namespace,
                    question.name,
                    question.path,
                )
                answers.append((user, asked, authorizer(user, asked)))
        for namespace in ("", *NAMESPACES):
            answers.append((user, namespace, authorizer.rules(user, namespace)))
            answers.append((user, namespace, authorizer.resolution_errors(user, namespace)))
    for name in CLUSTER_ROLE_NAMES:
        answers.append((name, authorizer.aggregated_rules(name)))
    return answers


class _Writer:
    """Random writes to the RBAC kinds of a cluster, through the store's ordinary write paths."""

    def __init__(self, cluster: Cluster, seed: int):
        self.cluster = cluster
        self.random = random.Random(seed)
        self.store = cluster.store

    def _labels(self) -> dict[str, str]:
        return dict(self.random.choice(LABELS))

    def _rules(self) -> list[dict[str, Any]]:
        return [dict(rule) for rule in self.random.sample(RULES, self.random.randint(0, 3))]

    def _cluster_role(self, name: str) -> dict[str, Any]:
        role: dict[str, Any] = {
            "apiVersion": RBAC,
            "kind": "ClusterRole",
            "metadata": {"name": name, "labels": self._labels()},
            "rules": self._rules(),
        }
        if name.startswith("agg-") or self.random.random() < 0.1:
            selectors = self.random.sample(SELECTORS, self.random.randint(1, 2))
            role["aggregationRule"] = {"clusterRoleSelectors": selectors}
        return role

    def _role(self, namespace: str, name: str) -> dict[str, Any]:
        metadata = {"name": name, "namespace": namespace, "labels": self._labels()}
        return {"apiVersion": RBAC, "kind": "Role", "metadata": metadata, "rules": self._rules()}

    def _subject(self) -> dict[str, Any]:
        kind = self.random.choice(("User", "Group", "ServiceAccount", "ServiceAccount"))
        if kind == "User":
            return {"apiGroup": GROUP, "kind": "User", "name": self.random.choice((*USERS, "nobody"))}
        if kind == "Group":
            return {"apiGroup": GROUP, "kind": "Group", "name": self.random.choice(GROUPS)}
        subject = {"kind": "ServiceAccount", "name": self.random.choice(("robot", "other"))}
        if self.random.random() < 0.5:
            subject["namespace"] = self.random.choice(NAMESPACES)
        return subject

    def _binding(self, namespace: str, name: str) -> dict[str, Any]:
        if namespace and self.random.random() < 0.4:
            reference = {"apiGroup": GROUP, "kind": "Role", "name": self.random.choice(ROLE_NAMES)}
        else:
            reference = {"apiGroup": GROUP, "kind": "ClusterRole", "name": self.random.choice(CLUSTER_ROLE_NAMES)}
        subjects = [self._subject() for _ in range(self.random.randint(1, 3))]
        metadata: dict[str, Any] = {"name": name}
        if namespace:
            metadata["namespace"] = namespace
        if self.random.random() < 0.15:
            metadata["finalizers"] = ["example.com/hold"]
        kind = "RoleBinding" if namespace else "ClusterRoleBinding"
        return {"apiVersion": RBAC, "kind": kind, "metadata": metadata, "roleRef": reference, "subjects": subjects}

    def step(self) -> None:
        plural = self.random.choice(("clusterroles", "roles", "rolebindings", "clusterrolebindings"))
        resource = _resource(self.cluster, plural)
        namespace = self.random.choice(NAMESPACES) if resource.namespaced else None
        if plural == "clusterroles":
            name = self.random.choice(CLUSTER_ROLE_NAMES)
            make = lambda: self._cluster_role(name)  # noqa: E731
        elif plural == "roles":
            name = self.random.choice(ROLE_NAMES)
            make = lambda: self._role(namespace, name)  # noqa: E731
        else:
            name = self.random.choice(BINDING_NAMES)
            make = lambda: self._binding(namespace or "", name)  # noqa: E731
        if not self.store.exists(resource, namespace, name):
            self.store.create(resource, namespace, make())
            return
        current = self.store.get(resource, namespace, name)
        if current["metadata"].get("deletionTimestamp"):  # held by a finalizer: release it
            released = {**current, "metadata": {**current["metadata"], "finalizers": []}}
            self.store.update(resource, namespace, name, released)
            return
        action = self.random.random()
        if action < 0.35:
            self.store.delete(resource, namespace, name)
        elif action < 0.5:
            labels = {"metadata": {"labels": self._labels() or None}}
            self.store.patch(resource, namespace, name, "application/merge-patch+json", labels)
        else:
            replacement = make()
            replacement["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
            self.store.update(resource, namespace, name, replacement)


def _cluster() -> Cluster:
    cluster = Cluster()
    cluster.load([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}} for name in NAMESPACES])
    return cluster


def test_incremental_index_answers_like_a_fresh_one_after_random_writes() -> None:
    for seed in (1, 2, 3):
        cluster = _cluster()
        authorizer = cluster.authorizer
        assert isinstance(authorizer, RbacAuthorizer)
        _answers(authorizer)  # builds the index: every write from here on updates it
        index = authorizer._index
        writer = _Writer(cluster, seed)
        for step in range(300):
            writer.step()
            if step % 30 == 29:
                assert _answers(authorizer) == _answers(RbacAuthorizer(cluster.store)), f"seed {seed}, step {step}"
        assert authorizer._index is index  # updated in place throughout, never rebuilt
        assert _answers(authorizer) == _answers(RbacAuthorizer(cluster.store))


def test_every_write_keeps_the_index_exact() -> None:
    cluster = _cluster()
    authorizer = cluster.authorizer
    assert isinstance(authorizer, RbacAuthorizer)
    writer = _Writer(cluster, 7)
    _answers(authorizer)
    for step in range(120):
        writer.step()
        assert _answers(authorizer) == _answers(RbacAuthorizer(cluster.store)), f"step {step}"


def _cluster_role(name: str, labels: dict[str, str], rules: list[dict[str, Any]], *selectors: dict) -> dict:
    role: dict[str, Any] = {"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": name, "labels": labels}}
    role["rules"] = rules
    if selectors:
        role["aggregationRule"] = {"clusterRoleSelectors": list(selectors)}
    return role


def test_aggregations_follow_chains_and_cycles() -> None:
    cluster = _cluster()
    authorizer = cluster.authorizer
    assert isinstance(authorizer, RbacAuthorizer)
    clusterroles = _resource(cluster, "clusterroles")
    pods, nodes, secrets = RULES[0], RULES[6], RULES[1]
    cluster.store.create(clusterroles, None, _cluster_role("top", {}, [], {"matchLabels": {"to": "top"}}))
    cluster.store.create(
        clusterroles, None, _cluster_role("middle", {"to": "top"}, [pods], {"matchLabels": {"to": "middle"}})
    )
    assert [sorted(rule.resources) for rule in authorizer.aggregated_rules("top") or ()] == [["pods"]]
    cluster.store.create(clusterroles, None, _cluster_role("leaf", {"to": "middle"}, [nodes]))
    assert [sorted(rule.resources) for rule in authorizer.aggregated_rules("top") or ()] == [["pods"], ["nodes"]]
    # A cycle: top also collected by middle; both end with the union, each listing its own rules first.
    relabelled = _cluster_role("top", {"to": "middle"}, [secrets], {"matchLabels": {"to": "top"}})
    relabelled["metadata"]["resourceVersion"] = cluster.store.get(clusterroles, None, "top")["metadata"][
        "resourceVersion"
    ]
    cluster.store.update(clusterroles, None, "top", relabelled)
    assert [sorted(rule.resources) for rule in authorizer.aggregated_rules("top") or ()] == [
        ["secrets"],
        ["pods"],
        ["nodes"],
    ]
    assert [sorted(rule.resources) for rule in authorizer.aggregated_rules("middle") or ()] == [
        ["pods"],
        ["nodes"],
        ["secrets"],
    ]
    cluster.store.delete(clusterroles, None, "leaf")
    assert [sorted(rule.resources) for rule in authorizer.aggregated_rules("middle") or ()] == [["pods"], ["secrets"]]
    assert _answers(authorizer) == _answers(RbacAuthorizer(cluster.store))
