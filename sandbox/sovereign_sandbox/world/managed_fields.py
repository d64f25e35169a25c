"""`metadata.managedFields` on every seeded object: the entries the managers that made and keep it leave on a
real cluster, with FieldsV1 sets of the fields each owns (computed as the API server's field manager does,
by `storage.apply`), so server-side apply meets the conflicts it would meet there.

Who made what:
- Flux: kustomize-controller applies (operation Apply) what Kustomizations carry; helm-controller installs
  chart output through Helm 3, whose writes are Updates.
- The controller manager (kube-controller-manager) creates what controllers own (ReplicaSets, pods, endpoint
  slices, controller revisions), writes their status, the Deployment revision annotation, and a Deployment's
  replicas through `scale` once its autoscaler has scaled it.
- The kubelet writes pod and node status and its node and mirror pods; the API server bootstraps the system
  namespaces, the `kubernetes` service, built-in priority classes and local APIServices.
- Operators (CloudNativePG's `manager`, external-secrets, Kyverno, Catalyst) own what they generate.
- Anything else was applied with kubectl (`kubectl-client-side-apply`).
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterable
from typing import Any

from sovereign_sandbox.storage.apply import _MAPS, _SERVER_METADATA, field_paths
from sovereign_sandbox.storage.resources import Catalogue, ResourceType, Subresource
from sovereign_sandbox.storage.strategic_merge import KEY_DEFAULTS, SET_LISTS, list_keys
from sovereign_sandbox.world.context import WorldContext

__all__ = ["managed_fields"]

Path = tuple[str, ...]
Manager = tuple[str, str, str]  # (manager, operation, subresource)

_KCM = ("kube-controller-manager", "Update", "")
_KCM_STATUS = ("kube-controller-manager", "Update", "status")
_APISERVER = ("kube-apiserver", "Update", "")
_KUBELET = ("kubelet", "Update", "")
_HELM = ("helm-controller", "Update", "")
_KUSTOMIZE = ("kustomize-controller", "Apply", "")
_KUBECTL = ("kubectl-client-side-apply", "Update", "")
_SYSTEM_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
# Controllers of owned objects, by the owner's kind.
_OWNER_MANAGERS = {
    "Deployment": _KCM,
    "ReplicaSet": _KCM,
    "StatefulSet": _KCM,
    "DaemonSet": _KCM,
    "Job": _KCM,
    "CronJob": _KCM,
    "Service": _KCM,
    "Node": _KUBELET,
    "Cluster": ("manager", "Update", ""),  # CloudNativePG's operator binary
    "ExternalSecret": ("external-secrets", "Update", ""),
    "ClusterPolicy": ("kyverno", "Update", ""),
}
_REPORTS = ("reports-controller", "Update", "")
# Who writes the status of custom resources, by API group.
_STATUS_BY_GROUP = {
    "helm.toolkit.fluxcd.io": ("helm-controller", "Update", "status"),
    "kustomize.toolkit.fluxcd.io": ("kustomize-controller", "Update", "status"),
    "source.toolkit.fluxcd.io": ("source-controller", "Update", "status"),
    "cert-manager.io": ("cert-manager-certificates-readiness", "Apply", "status"),
    "postgresql.cnpg.io": ("manager", "Update", "status"),
    "external-secrets.io": ("external-secrets", "Update", "status"),
    "kyverno.io": ("kyverno", "Update", "status"),
    "gateway.networking.k8s.io": ("cilium-operator-generic", "Update", "status"),
    "apiextensions.k8s.io": ("kube-apiserver", "Update", "status"),
    "apiregistration.k8s.io": ("kube-apiserver", "Update", "status"),
    "flowcontrol.apiserver.k8s.io": ("api-priority-and-fairness-config-consumer-v1", "Apply", "status"),
    "networking.k8s.io": ("cilium-operator-generic", "Update", "status"),
    "storage.k8s.io": ("csi-attacher", "Update", "status"),
}
_STATUS_BY_KIND = {"Pod": ("kubelet", "Update", "status"), "Node": ("kubelet", "Update", "status")}
_CATALYST_GROUPS = ("openova.io",)
# Fields a controller set on an object someone else made: (kind, path prefix) → manager.
_CARVED = {
    "Deployment": ((("f:metadata", "f:annotations", "f:deployment.kubernetes.io/revision"), _KCM),),
    "Node": (
        (("f:spec", "f:podCIDR"), _KCM),
        (("f:spec", "f:podCIDRs"), _KCM),
        (("f:metadata", "f:annotations", "f:node.alpha.kubernetes.io/ttl"), _KCM),
        (("f:spec", "f:providerID"), ("hcloud-cloud-controller-manager", "Update", "")),
    ),
    "PersistentVolumeClaim": (
        (("f:metadata", "f:annotations", "f:pv.kubernetes.io/bind-completed"), _KCM),
        (("f:metadata", "f:annotations", "f:pv.kubernetes.io/bound-by-controller"), _KCM),
        (("f:spec", "f:volumeName"), _KCM),
    ),
}
_SCALED = (("f:spec", "f:replicas"), ("kube-controller-manager", "Update", "scale"))


class _SharedTree(dict):
    """A FieldsV1 tree seeded objects share. Immutable, so a copy of an object may share it too: the store
    copies every seeded object, and copying thousands of these trees would double the start-up time."""

    __slots__ = ()

    def __deepcopy__(self, memo: dict) -> _SharedTree:
        return self

    def __copy__(self) -> _SharedTree:
        return self

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("a seeded managedFields entry's fieldsV1 cannot be changed in place")

    __setitem__ = __delitem__ = __ior__ = pop = popitem = clear = update = setdefault = _refuse  # type: ignore[assignment]


_EMPTY = _SharedTree()


_MEMBER = None  # marks, while encoding, a node that is itself one of the owned paths


def _encoded(paths: Iterable[Path]) -> _SharedTree:
    """`paths` in FieldsV1 (as `storage.apply` encodes them, built straight into shared trees): members with
    children carry `.`, tokens sorted (f: before k: before v:, which is also their byte order)."""
    root: dict = {}
    for path in paths:
        node = root
        for token in path:
            node = node.setdefault(token, {})
        node[_MEMBER] = True
    return _frozen(root)


_TEMPLATE_TREES: dict[tuple[str, tuple[str, ...], bytes], _SharedTree | None] = {}


def _template_tree(value: dict, kind: str, names: tuple[str, ...]) -> _SharedTree | None:
    children = []
    for key in sorted(value):
        subtree = _tree(value[key], kind, (*names, key)) if type(value[key]) in (dict, list) else _EMPTY
        if subtree is not None:
            children.append(("f:" + key, subtree))
    return _SharedTree(children) if children else _EMPTY


def _tree(value: Any, kind: str, names: tuple[str, ...], member: bool = False) -> _SharedTree | None:
    """The FieldsV1 subtree of the field `names` holding `value`, built in one pass: what `_encoded` makes of
    `storage.apply`'s field set, which this follows rule for rule (maps and keyed items are members, label
    selectors and other lists atomic). None for a field that owns nothing (an empty set-like list)."""
    if type(value) is dict:
        name = names[-1] if names else ""
        if name == "template" and len(names) > 1:
            # Workloads, their ReplicaSets and revisions repeat one template: build its tree once per content.
            key = (kind, names, marshal.dumps(value))
            cached = _TEMPLATE_TREES.get(key)
            if cached is None:
                cached = _TEMPLATE_TREES[key] = _template_tree(value, kind, names)
            return cached
        if not value or (name == "selector" and ("matchLabels" in value or "matchExpressions" in value)):
            return _EMPTY
        children = [(".", _EMPTY)] if member or name in _MAPS else []
        for key in sorted(value):
            child = value[key]
            # Scalars (most fields) are leaves: no call, no path for them.
            subtree = _tree(child, kind, (*names, key)) if type(child) in (dict, list) else _EMPTY
            if subtree is not None:
                children.append(("f:" + key, subtree))
        if len(children) == 1 and children[0][0] == ".":
            return _EMPTY
        return _SharedTree(children)
    if type(value) is list:
        keys = list_keys(kind, names) if kind else ()
        if keys and value and all(type(item) is dict and keys[0] in item for item in value):
            items = {}
            for item in value:
                identity = {
                    key: item.get(key, KEY_DEFAULTS.get(key)) for key in keys if key in item or key in KEY_DEFAULTS
                }
                token = "k:" + json.dumps(identity, separators=(",", ":"), sort_keys=True)
                items[token] = _tree(item, kind, names, member=True)
            return _SharedTree((token, items[token]) for token in sorted(items))
        if names and names[-1] in SET_LISTS and all(type(item) is str for item in value):
            tokens = sorted({"v:" + json.dumps(item) for item in value})
            return _SharedTree((token, _EMPTY) for token in tokens) if tokens else None
    return _EMPTY


def _object_tree(resource: ResourceType, obj: dict, subresource: str = "") -> _SharedTree:
    """The FieldsV1 of everything `obj` sets (of its status only, for "status"), as `storage.apply` sees it."""
    kind = "" if resource.custom else resource.kind
    has_status = resource.subresource("status") is not None
    children = []
    for key in sorted(obj):
        value = obj[key]
        if key in ("kind", "apiVersion") or (subresource == "status" and key != "status"):
            continue
        if subresource != "status" and key == "status" and has_status:
            continue  # written through the status subresource, by its own manager
        if key == "metadata" and isinstance(value, dict):
            value = {name: item for name, item in value.items() if name not in _SERVER_METADATA}
            if not value:
                continue
        child = _tree(value, kind, (key,))
        if child is not None:
            children.append((f"f:{key}", child))
    return _SharedTree(children) if children else _EMPTY


def _frozen(node: dict) -> _SharedTree:
    member = node.pop(_MEMBER, False)
    children = [(token, _frozen(node[token])) for token in sorted(node)]
    if member and children:
        children.insert(0, (".", _EMPTY))
    return _SharedTree(children) if children else _EMPTY


def _types(context: WorldContext) -> dict[tuple[str, str], ResourceType]:
    types = {(resource.api_version, resource.kind): resource for resource in Catalogue.builtin()}
    for definition in context.objects:
        if definition["kind"] != "CustomResourceDefinition":
            continue
        spec = definition["spec"]
        for version in spec["versions"]:
            status = (version.get("subresources") or {}).get("status") is not None
            resource = ResourceType(
                spec["group"],
                version["name"],
                spec["names"]["plural"],
                spec["names"].get("singular", ""),
                spec["names"]["kind"],
                spec["scope"] == "Namespaced",
                subresources=(Subresource("status", spec["names"]["kind"], ("get", "patch", "update")),)
                if status
                else (),
                custom=True,
            )
            types[(resource.api_version, resource.kind)] = resource
    return types


# app.kubernetes.io/managed-by → who wrote the object.
_BY_MANAGED_BY = {
    "Helm": _HELM,
    "kyverno": ("kyverno", "Update", ""),
    "catalyst": ("catalyst-api", "Update", ""),
    "sovereign-console": ("sovereign-console", "Apply", ""),
}
_PROVISIONERS = {
    "csi.hetzner.cloud": ("csi-provisioner", "Update", ""),
    "rancher.io/local-path": ("local-path-provisioner", "Update", ""),
}
# Namespaces the platform's Flux Kustomizations fill; what else lives there was applied by them.
_PLATFORM_NAMESPACES = {
    "kube-system",
    "flux-system",
    "cert-manager",
    "cnpg-system",
    "kyverno",
    "external-secrets",
    "catalyst-system",
}


def _built_in_maker(obj: dict) -> Manager | None:
    """The control plane's own objects: bootstrapped by the API server, or made by a core controller."""
    metadata, kind = obj["metadata"], obj["kind"]
    name, labels = metadata["name"], metadata.get("labels") or {}
    if kind == "Event":
        return (obj.get("reportingComponent") or obj.get("source", {}).get("component") or "kubelet", "Update", "")
    if kind in ("Node", "CSINode"):
        return _KUBELET
    if (kind == "Namespace" and name in _SYSTEM_NAMESPACES) or labels.get("kubernetes.io/bootstrapping"):
        return _APISERVER
    if (kind, name) in (("ConfigMap", "kube-root-ca.crt"), ("ServiceAccount", "default")):
        return _KCM
    if metadata.get("namespace") == "default" and name == "kubernetes" and kind in ("Service", "EndpointSlice"):
        return _APISERVER
    if kind in ("FlowSchema", "PriorityLevelConfiguration"):
        return ("api-priority-and-fairness-config-producer-v1", "Update", "")
    if labels.get("kube-aggregator.kubernetes.io/automanaged") or (
        kind == "PriorityClass" and name.startswith("system-")
    ):
        return _APISERVER
    if kind == "CertificateSigningRequest":
        return _KUBELET if obj["spec"]["username"].startswith("system:node:") else ("kubectl-create", "Update", "")
    if kind in ("VolumeAttachment", "ControllerRevision"):
        return _KCM
    if kind == "PersistentVolume":
        return _PROVISIONERS.get(metadata["annotations"].get("pv.kubernetes.io/provisioned-by", ""))
    if kind == "PersistentVolumeClaim" and name.rsplit("-", 1)[-1].isdigit() and not metadata.get("ownerReferences"):
        return _KCM  # a StatefulSet's claim: `<template>-<set>-<ordinal>`
    return None


def _maker(obj: dict, resource: ResourceType, operator_accounts: set) -> Manager:
    """Who created `obj` and owns what it was created with."""
    metadata, kind = obj["metadata"], obj["kind"]
    labels, annotations = metadata.get("labels") or {}, metadata.get("annotations") or {}
    built_in = _built_in_maker(obj)
    if built_in is not None:
        return built_in
    if labels.get("webhook.kyverno.io/managed-by") == "kyverno":
        return ("kyverno", "Update", "")
    for reference in metadata.get("ownerReferences") or ():  # before labels: pods carry their chart's labels
        if kind in ("PolicyReport", "ClusterPolicyReport", "Report"):
            return _REPORTS
        manager = _OWNER_MANAGERS.get(reference.get("kind", ""))
        if manager is not None:
            return manager
    if labels.get("app.kubernetes.io/managed-by") in _BY_MANAGED_BY:
        return _BY_MANAGED_BY[labels["app.kubernetes.io/managed-by"]]
    if obj.get("type") == "helm.sh/release.v1":
        return _HELM  # Helm's record of a release
    if "cert-manager.io/certificate-name" in annotations:
        return ("cert-manager-certificates-issuing", "Apply", "")
    if (metadata.get("namespace"), metadata["name"]) in operator_accounts:
        return _OWNER_MANAGERS["Cluster"]  # CloudNativePG makes each database cluster its account
    if "kustomize.toolkit.fluxcd.io/name" in labels or labels.get("openova.io/managed-by") == "flux":
        return _KUSTOMIZE
    if kind == "CustomResourceDefinition":
        group = obj["spec"]["group"]
        return _KUSTOMIZE if group.endswith(("fluxcd.io", *_CATALYST_GROUPS)) else _HELM
    if resource.group.endswith(_CATALYST_GROUPS):
        return ("catalyst-api", "Update", "")
    if kind == "PersistentVolumeClaim" and "app.kubernetes.io/instance" in labels:
        return _HELM  # a chart's own claim
    if labels.get("app.kubernetes.io/part-of") == "catalyst-policies" or (not resource.namespaced and not labels):
        return _KUSTOMIZE  # the policy library and cluster-wide platform configuration
    if metadata.get("namespace") in _PLATFORM_NAMESPACES and "app.kubernetes.io/name" not in labels:
        return _KUSTOMIZE
    return _KUBECTL  # bootstrap manifests an operator applied by hand


def _status_writer(obj: dict, resource: ResourceType) -> Manager | None:
    if not obj.get("status") or resource.subresource("status") is None:
        return None
    if obj["kind"] in _STATUS_BY_KIND:
        return _STATUS_BY_KIND[obj["kind"]]
    if resource.group in _STATUS_BY_GROUP:
        return _STATUS_BY_GROUP[resource.group]
    if obj["kind"] == "Service":
        ingress = (obj["status"].get("loadBalancer") or {}).get("ingress")
        return ("hcloud-cloud-controller-manager", "Update", "status") if ingress else None
    if obj["kind"] == "Namespace":
        return None  # the namespace lifecycle sets its phase without a managedFields entry
    if resource.custom and resource.group.endswith(_CATALYST_GROUPS):
        return ("catalyst-api", "Update", "status")
    return _KCM_STATUS if not resource.custom else None


def _drop_emptied_maps(paths: set[Path], carved: list[Path]) -> None:
    """A map whose every key a controller set (annotations holding only the revision) is not the maker's."""
    for path in carved:
        for length in range(len(path) - 1, 0, -1):
            parent = path[:length]
            if parent in paths and not any(len(other) > length and other[:length] == parent for other in paths):
                paths.discard(parent)


def _latest(times: Iterable[str | None], default: str) -> str:
    return max((time for time in times if time), default=default)


def _status_time(obj: dict) -> str:
    conditions = obj["status"].get("conditions") or []
    stamps = [condition.get(key) for condition in conditions for key in ("lastTransitionTime", "lastUpdateTime")]
    return _latest(stamps, obj["metadata"]["creationTimestamp"])


def _entry(manager: Manager, api_version: str, time: str, tree: _SharedTree) -> dict:
    name, operation, subresource = manager
    entry = {"manager": name, "operation": operation, "apiVersion": api_version, "time": time}
    entry["fieldsType"] = "FieldsV1"
    entry["fieldsV1"] = tree
    if subresource:
        entry["subresource"] = subresource
    return entry


def _field_sets(obj: dict, resource: ResourceType, facts: tuple[set, set]) -> list:
    """[(manager, fieldsV1, of status?)] of one object: who made it, what controllers set, who writes status."""
    operator_accounts, scaled = facts
    metadata = obj["metadata"]
    carved = list(_CARVED.get(obj["kind"], ()))
    if obj["kind"] == "Deployment" and (metadata.get("namespace"), metadata["name"]) in scaled:
        carved.append(_SCALED)
    maker = _maker(obj, resource, operator_accounts)
    if not carved:  # made and kept by one manager: its tree straight from the object
        sets = [(maker, _object_tree(resource, obj), False)]
    else:
        owners: dict[Manager, set[Path]] = {}
        for path in field_paths(resource, obj):
            owner = next((manager for prefix, manager in carved if path[: len(prefix)] == prefix), maker)
            owners.setdefault(owner, set()).add(path)
        carved_paths = [path for manager, paths in owners.items() if manager != maker for path in paths]
        _drop_emptied_maps(owners.get(maker, set()), carved_paths)
        sets = [(maker, _encoded(owners.pop(maker, set())), False)]
        sets += [(manager, _encoded(paths), False) for manager, paths in owners.items()]
    status_writer = _status_writer(obj, resource)
    if status_writer is not None:
        sets.append((status_writer, _object_tree(resource, obj, "status"), True))
    return [entry for entry in sets if entry[1]]


# The field sets of the last world built, by (seed, object count) and object: sandboxes started one after the
# other with one seed differ only in their clock, and field sets hold no values, so they are computed once.
_REMEMBERED: dict[tuple[int, int], dict[tuple[str, str | None, str], list]] = {}


def managed_fields(context: WorldContext) -> None:
    """Give every object of the world its managedFields (last: it records what everything else set)."""
    types = _types(context)
    world_key = (context.seed, len(context.objects))
    remembered = _REMEMBERED.get(world_key)
    if remembered is None:
        _REMEMBERED.clear()
        remembered = _REMEMBERED[world_key] = {}
    operator_accounts = {
        (item["metadata"]["namespace"], item["metadata"]["name"])
        for item in context.objects
        if item["kind"] == "Cluster"
    }
    scaled = {
        (item["metadata"]["namespace"], item["spec"]["scaleTargetRef"]["name"])
        for item in context.objects
        if item["kind"] == "HorizontalPodAutoscaler"
    }
    _TEMPLATE_TREES.clear()
    for obj in context.objects:
        resource = types.get((obj["apiVersion"], obj["kind"]))
        if resource is None:
            continue
        metadata = obj["metadata"]
        key = (obj["kind"], metadata.get("namespace"), metadata["name"])
        sets = remembered.get(key)
        if sets is None:
            sets = remembered[key] = _field_sets(obj, resource, (operator_accounts, scaled))
        created = metadata["creationTimestamp"]
        metadata["managedFields"] = [
            _entry(manager, obj["apiVersion"], _status_time(obj) if of_status else created, tree)
            for manager, tree, of_status in sets
        ]
    _TEMPLATE_TREES.clear()
