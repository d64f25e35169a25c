"""Policy metadata from Kyverno ClusterPolicies (`kyverno.io/v1`): title, category, severity, mode, rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.kube.objects import metadata_of, name_of

__all__ = ["PolicyInfo", "policy_info_of"]

_ANNOTATION = "policies.kyverno.io/"
_ACTIONS = {"audit": "Audit", "enforce": "Enforce"}


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """What a ClusterPolicy says about itself."""

    name: str
    title: str = ""
    category: str = ""  # free text; the bucket (security/sre/baseline) is read from it
    severity: str = ""  # critical|high|medium|low|info, lower-cased
    description: str = ""
    action: str = ""  # Kyverno's validation failure action: "Audit", "Enforce", or "" when it says none
    rules: tuple[str, ...] = ()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _rules(spec: dict[str, Any]) -> list[dict[str, Any]]:
    rules = spec.get("rules")
    return [rule for rule in rules if isinstance(rule, dict)] if isinstance(rules, list) else []


def _action(spec: dict[str, Any]) -> str:
    """`spec.validationFailureAction`, else the first rule's `validate.failureAction` (the newer shape)."""
    action = _text(spec.get("validationFailureAction"))
    if not action:
        for rule in _rules(spec):
            validate = rule.get("validate")
            action = _text(validate.get("failureAction")) if isinstance(validate, dict) else ""
            if action:
                break
    return _ACTIONS.get(action.lower(), "")


def policy_info_of(cluster_policy: object) -> PolicyInfo | None:
    """Read a ClusterPolicy; None without a name."""
    if not isinstance(cluster_policy, dict) or not name_of(cluster_policy):
        return None
    annotations = metadata_of(cluster_policy).get("annotations")
    annotations = annotations if isinstance(annotations, dict) else {}
    spec = cluster_policy.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    return PolicyInfo(
        name=name_of(cluster_policy),
        title=_text(annotations.get(_ANNOTATION + "title")),
        category=_text(annotations.get(_ANNOTATION + "category")),
        severity=_text(annotations.get(_ANNOTATION + "severity")).lower(),
        description=_text(annotations.get(_ANNOTATION + "description")),
        action=_action(spec),
        rules=tuple(name for rule in _rules(spec) if (name := _text(rule.get("name")))),
    )
