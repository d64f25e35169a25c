""" "What can this person do here?": a resource × verb matrix from a SelfSubjectRulesReview made as the person.

The rows are the resources the console shows (the registry's kinds) and the subresources behind its
actions (shell, logs, scale); wildcard rules are expanded over them. The API server may say its list is
incomplete (an authorizer that cannot enumerate, a missing role): the matrix carries that along, since a
"no" in an incomplete matrix is not a definite no.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from console.kube.api import KubeApi
from console.kube.registry import KINDS
from console.rbac.rbac_index import PolicyRule

__all__ = ["MATRIX_RESOURCES", "MATRIX_VERBS", "MatrixResource", "RulesMatrix", "RulesRow", "matrix_of", "rules_matrix"]

MATRIX_VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")
_RULES_REVIEWS_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"


@dataclass(frozen=True, slots=True)
class MatrixResource:
    """One row's resource: an API group, a plural and maybe a subresource."""

    group: str  # "" for the core group
    resource: str  # plural, "pods"
    subresource: str = ""  # "exec"

    @property
    def label(self) -> str:
        """As kubectl names it: "pods", "deployments.apps", "pods/exec", "deployments.apps/scale"."""
        base = f"{self.resource}.{self.group}" if self.group else self.resource
        return f"{base}/{self.subresource}" if self.subresource else base


# The subresources behind the console's actions, each listed right after its resource.
_SUBRESOURCES = {("", "pods"): ("exec", "log"), ("apps", "deployments"): ("scale",)}
_ALWAYS = (("", "pods"), ("", "secrets"), ("apps", "deployments"))  # the actions' resources, served or not


def _matrix_resources() -> tuple[MatrixResource, ...]:
    pairs = dict.fromkeys(
        [*_ALWAYS, *((kind.resource.group, kind.resource.plural) for kind in KINDS.values() if kind.resource)]
    )
    rows: list[MatrixResource] = []
    for group, plural in pairs:
        rows.append(MatrixResource(group, plural))
        rows += [MatrixResource(group, plural, sub) for sub in _SUBRESOURCES.get((group, plural), ())]
    return tuple(rows)


MATRIX_RESOURCES = _matrix_resources()


@dataclass(frozen=True, slots=True)
class RulesRow:
    resource: MatrixResource
    allowed: Mapping[str, bool]  # verb → allowed on any object of the resource
    named: Mapping[str, tuple[str, ...]]  # verb → the only objects it is allowed on (rules with resourceNames)

    @property
    def label(self) -> str:
        return self.resource.label

    def allows(self, verb: str) -> bool:
        return self.allowed.get(verb, False)


@dataclass(frozen=True, slots=True)
class RulesMatrix:
    namespace: str
    verbs: tuple[str, ...]
    rows: list[RulesRow]
    incomplete: bool  # the server could not list every rule: a "no" may be a yes
    evaluation_error: str  # the server's reason, e.g. a role a binding names is missing

    def row(self, label: str) -> RulesRow:
        """The row labelled `label` ("pods/exec"); raises KeyError."""
        for row in self.rows:
            if row.label == label:
                return row
        raise KeyError(label)


def _row(resource: MatrixResource, rules: list[PolicyRule], verbs: Iterable[str]) -> RulesRow:
    allowed: dict[str, bool] = {}
    named: dict[str, tuple[str, ...]] = {}
    for verb in verbs:
        general = [rule for rule in rules if not rule.resource_names]
        allowed[verb] = any(
            rule.allows(verb, resource.group, resource.resource, resource.subresource) for rule in general
        )
        if not allowed[verb]:
            names = {
                name
                for rule in rules
                if rule.resource_names
                and replace(rule, resource_names=frozenset()).allows(
                    verb, resource.group, resource.resource, resource.subresource
                )
                for name in rule.resource_names
            }
            if names:
                named[verb] = tuple(sorted(names))
    return RulesRow(resource, allowed, named)


def matrix_of(
    namespace: str,
    resource_rules: Iterable[Mapping[str, object]],
    *,
    incomplete: bool = False,
    evaluation_error: str = "",
    resources: Iterable[MatrixResource] = MATRIX_RESOURCES,
    verbs: tuple[str, ...] = MATRIX_VERBS,
) -> RulesMatrix:
    """The matrix of a SelfSubjectRulesReview's `resourceRules` (wildcards expanded over `resources`)."""
    rules = [PolicyRule.parse(rule) for rule in resource_rules]
    return RulesMatrix(
        namespace, verbs, [_row(resource, rules, verbs) for resource in resources], incomplete, evaluation_error
    )


async def rules_matrix(api_as_person: KubeApi, namespace: str) -> RulesMatrix:
    """What the person `api_as_person` acts for may do in `namespace` ("" : cluster-wide rules only).

    Raises:
        KubeApiError: the review could not be made.
    """
    answer = await api_as_person.post(
        _RULES_REVIEWS_PATH,
        {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": namespace}},
    )
    status = answer.get("status") or {}
    rules = [rule for rule in status.get("resourceRules") or () if isinstance(rule, dict)]
    return matrix_of(
        namespace,
        rules,
        incomplete=bool(status.get("incomplete")),
        evaluation_error=str(status.get("evaluationError") or ""),
    )
