"""RBAC escalation prevention: nobody grants, through a role or a binding, permissions they do not hold.

What `pkg/registry/rbac/*/policybased` does on every create and update (dry runs included):

* a Role or ClusterRole write needs its rules covered by the writer's own rules (in the role's namespace
  plus cluster-wide), unless the writer may `escalate` roles/clusterroles;
* a RoleBinding or ClusterRoleBinding write needs the referenced role's rules covered the same way (in the
  binding's namespace), unless the writer may `bind` that role (resourceNames honoured);
* setting or keeping an aggregationRule needs `*` on everything;
* members of system:masters, the server's own writes, and changes to only ownerReferences/finalizers pass.

The refusal lists each missing permission as `CompactString` prints it, one per line, sorted — the text of
`ConfirmNoEscalation` in `pkg/registry/rbac/validation/rule.go`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox import errors
from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.auth.authorization import Attributes, Authorizer
from sovereign_sandbox.auth.rbac import GROUP, MASTERS, RbacAuthorizer, Rule
from sovereign_sandbox.storage.admission import UPDATE, AdmissionRequest, forbidden
from sovereign_sandbox.storage.store import Store

__all__ = ["RBAC_STORAGE_KEYS", "EscalationCheck"]

RBAC_STORAGE_KEYS = tuple(
    f"{GROUP}/{plural}" for plural in ("roles", "clusterroles", "rolebindings", "clusterrolebindings")
)
_ROLE_RESOURCES = {"ClusterRole": "clusterroles", "Role": "roles"}
_AGGREGATION_REFUSED = "must have cluster-admin privileges to use the aggregationRule"


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """A PolicyRule with its lists in their written order (the order the refusal prints verbs in)."""

    api_groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()

    @classmethod
    def parse(cls, rule: Mapping[str, Any]) -> PolicyRule:
        def strings(field: str) -> tuple[str, ...]:
            return tuple(str(value) for value in rule.get(field) or ())

        return cls(
            strings("apiGroups"),
            strings("resources"),
            strings("resourceNames"),
            strings("nonResourceURLs"),
            strings("verbs"),
        )

    @classmethod
    def of(cls, rule: Rule) -> PolicyRule:
        """From the evaluator's form, whose sets have lost the written order (sorted instead)."""
        return cls(
            tuple(sorted(rule.api_groups)),
            tuple(sorted(rule.resources)),
            tuple(sorted(rule.resource_names)),
            rule.non_resource_urls,
            tuple(sorted(rule.verbs)),
        )

    def breakdown(self) -> list[PolicyRule]:
        """Equivalent rules of one verb, one group and resource (and name), or one URL (`BreakdownRule`)."""
        parts = [
            PolicyRule((group,), (resource,), names, (), (verb,))
            for group in self.api_groups
            for resource in self.resources
            for verb in self.verbs
            for names in ([(name,) for name in self.resource_names] or [()])
        ]
        parts += [
            PolicyRule(non_resource_urls=(url,), verbs=(verb,)) for url in self.non_resource_urls for verb in self.verbs
        ]
        return parts

    def compact_string(self) -> str:
        """`rbacv1helpers.CompactString`: the non-empty lists, Go-quoted, in this order."""
        fields = (
            ("APIGroups", self.api_groups),
            ("Resources", self.resources),
            ("NonResourceURLs", self.non_resource_urls),
            ("ResourceNames", self.resource_names),
            ("Verbs", self.verbs),
        )
        return "{" + ", ".join(f"{label}:{_go_strings(values)}" for label, values in fields if values) + "}"


FULL_AUTHORITY = (PolicyRule(("*",), ("*",), verbs=("*",)), PolicyRule(non_resource_urls=("*",), verbs=("*",)))


def _go_quote(text: str) -> str:
    """Go's `%q` of a string (strconv.Quote) for the characters names and groups are made of."""
    escaped = []
    for character in text:
        if character in '"\\':
            escaped.append("\\" + character)
        elif character in "\n\t\r":
            escaped.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}[character])
        elif character.isprintable():
            escaped.append(character)
        else:
            escaped.append(f"\\x{ord(character):02x}" if ord(character) < 0x100 else f"\\u{ord(character):04x}")
    return '"' + "".join(escaped) + '"'


def _go_strings(values: Iterable[str]) -> str:
    """Go's `%q` of a []string: `["a" "b"]`."""
    return "[" + " ".join(_go_quote(value) for value in values) + "]"


def _resources_cover(owned: frozenset[str], wanted: Sequence[str]) -> bool:
    for resource in wanted:
        if "*" in owned or resource in owned:
            continue
        if "/" not in resource or f"*/{resource.split('/', 1)[1]}" not in owned:
            return False
    return True


def _url_covers(owned: str, wanted: str) -> bool:
    return owned == wanted or (owned.endswith("*") and wanted.startswith(owned.rstrip("*")))


def _covers(owner: Rule, part: PolicyRule) -> bool:
    """`ruleCovers` for one broken-down rule: every attribute within the owner's (with its wildcards)."""
    if "*" not in owner.verbs and not all(verb in owner.verbs for verb in part.verbs):
        return False
    if "*" not in owner.api_groups and not all(group in owner.api_groups for group in part.api_groups):
        return False
    if not _resources_cover(owner.resources, part.resources):
        return False
    if not all(any(_url_covers(url, wanted) for url in owner.non_resource_urls) for wanted in part.non_resource_urls):
        return False
    if part.resource_names:
        return not owner.resource_names or all(name in owner.resource_names for name in part.resource_names)
    return not owner.resource_names


def uncovered(owned: Sequence[Rule], wanted: Iterable[PolicyRule]) -> list[PolicyRule]:
    """The broken-down parts of `wanted` that no rule in `owned` covers (`validation.Covers`)."""
    parts = [part for rule in wanted for part in rule.breakdown()]
    return [part for part in parts if not any(_covers(owner, part) for owner in owned)]


def _compacted(rules: list[PolicyRule]) -> list[PolicyRule]:
    """`CompactRules`: single group/resource(/name) rules merged, their verbs appended in order."""
    merged: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
    others: list[PolicyRule] = []
    for rule in rules:
        simple = (
            len(rule.api_groups) == 1
            and len(rule.resources) == 1
            and len(rule.resource_names) <= 1
            and not rule.non_resource_urls
        )
        if simple:
            merged.setdefault((rule.api_groups[0], rule.resources[0], rule.resource_names), []).extend(rule.verbs)
        else:
            others.append(rule)
    simple_rules = [
        PolicyRule((group,), (resource,), names, (), tuple(verbs)) for (group, resource, names), verbs in merged.items()
    ]
    return others + simple_rules


def _aggregate(messages: list[str]) -> str:
    """apimachinery's aggregate error text: one message as is, several deduplicated inside brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(messages) == 1 or len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _aggregates(role: Mapping[str, Any] | None) -> bool:
    return bool(role and ((role.get("aggregationRule") or {}).get("clusterRoleSelectors")))


def _only_garbage_collection_fields_change(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """`IsOnlyMutatingGCFields`: nothing but ownerReferences and finalizers differ (the collector's edits)."""

    def comparable(obj: Mapping[str, Any], references_from: Mapping[str, Any]) -> dict[str, Any]:
        copied = copy.deepcopy(dict(obj))
        metadata = copied.setdefault("metadata", {})
        source = references_from.get("metadata") or {}
        for field in ("ownerReferences", "finalizers"):
            if field in source:
                metadata[field] = copy.deepcopy(source[field])
            else:
                metadata.pop(field, None)
        for server_owned in ("resourceVersion", "managedFields"):  # not what the user changes
            metadata.pop(server_owned, None)
        return copied

    return comparable(new, old) == comparable(old, old)


class EscalationCheck:
    """The admission plugin for the four RBAC kinds (register it for `RBAC_STORAGE_KEYS`)."""

    def __init__(self, store: Store, rules: RbacAuthorizer, authorize: Authorizer):
        self._store = store
        self._rules = rules
        self._authorize = authorize

    def __call__(self, request: AdmissionRequest) -> None:
        user = request.user
        if user is None or MASTERS in user.groups:
            return
        if request.old is not None and _only_garbage_collection_fields_change(request.obj, request.old):
            return
        if request.resource.plural in ("roles", "clusterroles"):
            self._check_role(request, user)
        else:
            self._check_binding(request, user)

    def _check_role(self, request: AdmissionRequest, user: User) -> None:
        # `RoleEscalationAuthorized` asks with the request's own URL name: none for a create.
        url_name = request.name if request.operation == UPDATE else ""
        escalate = Attributes("escalate", GROUP, request.resource.plural, namespace=request.namespace, name=url_name)
        if self._authorize(user, escalate).allowed:
            return
        rules = [PolicyRule.parse(rule) for rule in request.obj.get("rules") or () if isinstance(rule, Mapping)]
        self._confirm(request, user, rules)
        if request.resource.plural == "clusterroles" and (_aggregates(request.obj) or _aggregates(request.old)):
            if uncovered(self._rules.rules(user, ""), FULL_AUTHORITY):
                raise forbidden(request, _AGGREGATION_REFUSED)

    def _check_binding(self, request: AdmissionRequest, user: User) -> None:
        reference = request.obj.get("roleRef") or {}
        kind, name = str(reference.get("kind", "")), str(reference.get("name", ""))
        namespace = request.namespace if request.resource.plural == "rolebindings" else ""
        role_resource = _ROLE_RESOURCES.get(kind)
        if role_resource is not None:
            bind = Attributes("bind", str(reference.get("apiGroup", "")), role_resource, namespace=namespace, name=name)
            if self._authorize(user, bind).allowed:
                return
        self._confirm(request, user, self._role_reference_rules(kind, name, namespace))

    def _role_reference_rules(self, kind: str, name: str, namespace: str) -> list[PolicyRule]:
        """The referenced role's rules (`GetRoleReferenceRules`); 404 when it does not exist."""
        if kind == "ClusterRole":
            role = self._store.stored(f"{GROUP}/clusterroles", ("", name))
            if role is None:
                raise errors.not_found("clusterroles", GROUP, name)
            if _aggregates(role):  # the aggregation controller's rules, as the evaluator resolves them
                return [PolicyRule.of(rule) for rule in self._rules.aggregated_rules(name) or ()]
        elif kind == "Role":
            role = self._store.stored(f"{GROUP}/roles", (namespace, name)) if namespace else None
            if role is None:
                raise errors.not_found("roles", GROUP, name)
        else:
            message = f'Internal error occurred: unsupported role reference kind: "{kind}"'
            raise errors.ApiError(500, "InternalError", message, {"causes": [{"message": message}]})
        return [PolicyRule.parse(rule) for rule in role.get("rules") or () if isinstance(rule, Mapping)]

    def _confirm(self, request: AdmissionRequest, user: User, rules: list[PolicyRule]) -> None:
        """`ConfirmNoEscalation` in the request's namespace: 403 listing what the user lacks."""
        missing = uncovered(self._rules.rules(user, request.namespace), rules)
        if not missing:
            return
        descriptions = sorted({rule.compact_string() for rule in _compacted(missing)})
        message = (
            f"user {_go_quote(user.name)} (groups={_go_strings(user.groups)}) is attempting to grant RBAC "
            "permissions not currently held:\n" + "\n".join(descriptions)
        )
        resolution_errors = self._rules.resolution_errors(user, request.namespace)
        if resolution_errors:
            message += f"; resolution errors: [{_aggregate(resolution_errors)}]"
        raise forbidden(request, message)
