"""Policy weights and modes from EnvironmentPolicies, and which one applies to a resource's environment.

An EnvironmentPolicy (`catalyst.openova.io/v1alpha1`, cluster-scoped) declares
`spec.compliance.weights[policy] = {weight 0..100, scope stateful|stateless|all}` and
`spec.compliance.modes[policy] = permissive|enforcing`. A resource's environment label names an Environment
(`{org}-{envType}`) whose `spec.policyRef` names the EnvironmentPolicy; without such an Environment (or
when its policyRef names none that exists) an EnvironmentPolicy named like the environment applies; else
none, and every observed policy counts with weight 1, scope all.

Only the policies an applicable EnvironmentPolicy weighs count ("over its weighted policies"). An
EnvironmentPolicy without a `spec.compliance.weights` map at all weighs nothing explicitly, so it is read
as no weighting (weight 1 for every policy); an empty map means nothing counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from console.compliance.model import Mode, PolicyScope
from console.kube.objects import name_of

__all__ = [
    "DEFAULT_MODE",
    "DEFAULT_WEIGHT",
    "MODES",
    "EnvironmentPolicies",
    "PolicyWeight",
    "WeightTable",
    "counting_weight",
    "weight_table_of",
]

MODES: tuple[Mode, ...] = ("permissive", "enforcing")
DEFAULT_MODE: Mode = "permissive"
_SCOPES: tuple[PolicyScope, ...] = ("stateful", "stateless", "all")


@dataclass(frozen=True, slots=True)
class PolicyWeight:
    weight: int  # 0..100
    scope: PolicyScope


DEFAULT_WEIGHT = PolicyWeight(1, "all")  # every observed policy when no EnvironmentPolicy weighs it


@dataclass(frozen=True, slots=True)
class WeightTable:
    """What one EnvironmentPolicy says about policies."""

    environment_policy: str  # its name
    weights: Mapping[str, PolicyWeight] = field(default_factory=dict)
    modes: Mapping[str, Mode] = field(default_factory=dict)
    declared: bool = True  # False: the EnvironmentPolicy has no weights map (every policy weighs 1)

    def weight_of(self, policy: str) -> PolicyWeight | None:
        """The policy's weight; None when it does not count here."""
        if not self.declared:
            return DEFAULT_WEIGHT
        return self.weights.get(policy)

    def mode_of(self, policy: str) -> Mode:
        return self.modes.get(policy, DEFAULT_MODE)


def counting_weight(table: WeightTable | None, policy: str, stateful: bool) -> int | None:
    """The weight a policy counts with for a resource, or None when it does not count for it.

    A `stateful` policy does not count on a stateless resource, nor a `stateless` one on a stateful resource.
    """
    weight = DEFAULT_WEIGHT if table is None else table.weight_of(policy)
    if weight is None:
        return None
    if (weight.scope == "stateful" and not stateful) or (weight.scope == "stateless" and stateful):
        return None
    return weight.weight


def _weight(value: object) -> PolicyWeight | None:
    """`{weight, scope}` (or a bare number) → PolicyWeight; None when the weight is not a number."""
    scope: object = "all"
    if isinstance(value, dict):
        scope = value.get("scope", "all")
        value = value.get("weight")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    weight = max(0, min(100, int(value)))
    return PolicyWeight(weight, scope if scope in _SCOPES else "all")  # type: ignore[arg-type]


def weight_table_of(environment_policy: object) -> WeightTable | None:
    """Read an EnvironmentPolicy object; None without a name. Unreadable entries are left out."""
    if not isinstance(environment_policy, dict) or not name_of(environment_policy):
        return None
    spec = environment_policy.get("spec")
    compliance = spec.get("compliance") if isinstance(spec, dict) else None
    compliance = compliance if isinstance(compliance, dict) else {}
    raw_weights = compliance.get("weights")
    raw_modes = compliance.get("modes")
    weights: dict[str, PolicyWeight] = {}
    if isinstance(raw_weights, dict):
        for policy, value in raw_weights.items():
            weight = _weight(value)
            if weight is not None:
                weights[str(policy)] = weight
    modes: dict[str, Mode] = {}
    if isinstance(raw_modes, dict):
        for policy, mode in raw_modes.items():
            if mode in MODES:
                modes[str(policy)] = mode
    return WeightTable(name_of(environment_policy), weights, modes, declared=isinstance(raw_weights, dict))


def _policy_ref(environment: dict[str, Any]) -> str:
    spec = environment.get("spec")
    ref = spec.get("policyRef") if isinstance(spec, dict) else None
    if isinstance(ref, dict):  # tolerate `{name: …}` references
        ref = ref.get("name")
    return ref if isinstance(ref, str) else ""


class EnvironmentPolicies:
    """Environments and EnvironmentPolicies as the cache holds them; answers which weights apply where."""

    def __init__(self) -> None:
        self._policy_refs: dict[str, str] = {}  # Environment name → spec.policyRef
        self._tables: dict[str, WeightTable] = {}  # EnvironmentPolicy name → its table
        self._resolved: dict[str, WeightTable | None] = {}

    def set_environments(self, objects: Iterable[object]) -> None:
        self._policy_refs = {
            name_of(obj): _policy_ref(obj) for obj in objects if isinstance(obj, dict) and name_of(obj)
        }
        self._resolved.clear()

    def set_environment_policies(self, objects: Iterable[object]) -> None:
        tables = (weight_table_of(obj) for obj in objects)
        self._tables = {table.environment_policy: table for table in tables if table is not None}
        self._resolved.clear()

    @property
    def environments(self) -> list[str]:
        """Every Environment object's name."""
        return sorted(self._policy_refs)

    def table(self, environment_policy: str) -> WeightTable | None:
        return self._tables.get(environment_policy)

    def table_for(self, environment: str) -> WeightTable | None:
        """The weights that apply in an environment (see the module doc); None: no EnvironmentPolicy."""
        if environment in self._resolved:
            return self._resolved[environment]
        table = None
        if environment:
            ref = self._policy_refs.get(environment, "")
            table = self._tables.get(ref) if ref else None
            if table is None:
                table = self._tables.get(environment)
        self._resolved[environment] = table
        return table
