"""Edge rules as data: what one object says about the others (spec/cloud.md §4).

Each rule reads ONE object and yields references to other objects, named by API group, Kubernetes kind,
namespace and name; the graph turns them into node ids with the registry's graph kinds and draws an edge
once both ends exist. Rules are keyed by the (API group, kind) of the object that carries the reference,
like Headlamp's relation catalogue. Three read any object: its ownerReferences (owns), Flux's labels
(reconciles) and, on an owner-less workload (a compute node type), its application label (realizes).

Label selectors are not resolved here: a selecting object yields its `Selector` and what it selects (Pods
of its own namespace), and the graph matches them incrementally.

depends-on: an Application's `spec.dependsOn[]` entry names an object by name and namespace only. In the
seeded Sovereign it names the app's CNPG Cluster (`keycloak-db`, context `db/keycloak`), and Catalyst also
lets one Application wait on another; the rule therefore refers to both an Application and a CNPG Cluster
("Database") of that name, and the edge appears to whichever exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from console.kube.api import JsonObject
from console.kube.kinds import Shape
from console.kube.selectors import Operator, Requirement, Selector
from console.topology.model import EdgeKind

__all__ = [
    "APPLICATION_LABELS",
    "CLUSTER_MEMBERS",
    "RULES",
    "SELECTABLE",
    "SELECTOR_RULES",
    "ObjectRef",
    "Reference",
    "Relations",
    "Direction",
    "SelectorReference",
    "group_of",
    "label_selector",
    "relations_of",
]

Direction = Literal["out", "in"]  # out: the carrying object → the other end; in: the other end → the carrier


class ObjectRef(NamedTuple):
    """Another object, named as its reference names it."""

    group: str  # API group ("" for core)
    kind: str  # Kubernetes kind ("Service")
    namespace: str  # "" for cluster-scoped objects
    name: str


class Reference(NamedTuple):
    edge: EdgeKind
    other: ObjectRef
    direction: Direction


@dataclass(frozen=True, slots=True)
class SelectorReference:
    """A label selector the object carries: it `edge`s the objects of (group, kind) in its own namespace
    whose labels it matches."""

    edge: EdgeKind
    selector: Selector  # the empty selector matches every object of the namespace
    group: str
    kind: str


class Relations(NamedTuple):
    """Everything the graph needs from one object besides its list row."""

    references: tuple[Reference, ...]
    selectors: tuple[SelectorReference, ...]
    owner: ObjectRef | None  # the controlling owner (ownerReferences[].controller)
    node_name: str  # where a Pod runs ("" for everything else)
    application: str  # the app it belongs to, from APPLICATION_LABELS


# The labels that name an object's application, most specific first.
APPLICATION_LABELS = ("catalyst.openova.io/application", "openova.io/application", "app.kubernetes.io/instance")
# Objects the cluster scope contains directly (every namespaced object sits in its Namespace instead).
CLUSTER_MEMBERS = frozenset({("", "Namespace"), ("", "Node")})

_POD = ("", "Pod")
_SERVICE = ("", "Service")
_CONFIG_MAP = ("", "ConfigMap")
_SECRET = ("", "Secret")
_CLAIM = ("", "PersistentVolumeClaim")
_VOLUME = ("", "PersistentVolume")
_NODE = ("", "Node")
_STORAGE_CLASS = ("storage.k8s.io", "StorageClass")
_GATEWAY_API = "gateway.networking.k8s.io"
_APPLICATION = ("apps.openova.io", "Application")
_CNPG_CLUSTER = ("postgresql.cnpg.io", "Cluster")
# Where a pod names what it mounts: source field → (the field holding the name, what it names).
_Sources = Mapping[str, tuple[str, tuple[str, str]]]
_VOLUME_SOURCES: _Sources = {
    "configMap": ("name", _CONFIG_MAP),
    "secret": ("secretName", _SECRET),
    "persistentVolumeClaim": ("claimName", _CLAIM),
}
_PROJECTED_SOURCES: _Sources = {"configMap": ("name", _CONFIG_MAP), "secret": ("name", _SECRET)}
_ENV_FROM_SOURCES: _Sources = {"configMapRef": ("name", _CONFIG_MAP), "secretRef": ("name", _SECRET)}
_ENV_VALUE_SOURCES: _Sources = {"configMapKeyRef": ("name", _CONFIG_MAP), "secretKeyRef": ("name", _SECRET)}
# Flux labels what it applies with its reconciler's name and namespace: (name label, namespace label, reconciler).
_FLUX_RECONCILERS = tuple(
    (f"{group}/name", f"{group}/namespace", (group, kind))
    for group, kind in (("helm.toolkit.fluxcd.io", "HelmRelease"), ("kustomize.toolkit.fluxcd.io", "Kustomization"))
)
# Cilium prefixes selector keys with their label source; these two match a pod's Kubernetes labels.
_CILIUM_SOURCES = ("k8s:", "any:")
_OPERATORS: dict[str, Operator] = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}

Rule = Callable[[JsonObject, str], Iterable[Reference]]  # (object, its namespace) → references
SelectorRule = Callable[[JsonObject], Selector | None]


def group_of(api_version: str) -> str:
    """`apps/v1` → `apps`; `v1` → "" (the core group)."""
    return api_version.rpartition("/")[0]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _ref(edge: EdgeKind, target: tuple[str, str], namespace: str, name: Any, direction: Direction) -> Reference:
    return Reference(edge, ObjectRef(target[0], target[1], namespace, str(name)), direction)


def _named(entry: Any, sources: _Sources, namespace: str, out: list[Reference]) -> None:
    """Pod → what one entry (a volume, an envFrom source, a valueFrom) names through any of `sources`."""
    if isinstance(entry, dict):
        for key, value in entry.items():
            source = sources.get(key)
            if source is not None and isinstance(value, dict) and (name := value.get(source[0])):
                out.append(_ref("mounts", source[1], namespace, name, "out"))


def _pod_mounts(pod: JsonObject, namespace: str) -> list[Reference]:
    """Pod → the ConfigMaps, Secrets and claims its volumes, projected volumes and environment read."""
    # Every pod of a full derivation passes here: entries are appended, not yielded (no generator per entry).
    mounts: list[Reference] = []
    spec = _dict(pod.get("spec"))
    for volume in _list(spec.get("volumes")):
        _named(volume, _VOLUME_SOURCES, namespace, mounts)
        if isinstance(volume, dict) and "projected" in volume:
            for source in _list(_dict(volume["projected"]).get("sources")):
                _named(source, _PROJECTED_SOURCES, namespace, mounts)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in _list(spec.get(key)):
            if not isinstance(container, dict):
                continue
            for source in _list(container.get("envFrom")):
                _named(source, _ENV_FROM_SOURCES, namespace, mounts)
            for variable in _list(container.get("env")):
                if isinstance(variable, dict) and "valueFrom" in variable:
                    _named(variable["valueFrom"], _ENV_VALUE_SOURCES, namespace, mounts)
    return mounts


def _pod_runs_on(pod: JsonObject, namespace: str) -> list[Reference]:
    name = _dict(pod.get("spec")).get("nodeName")
    return [_ref("runs-on", _NODE, "", name, "out")] if name else []


def _ingress_routes(ingress: JsonObject, namespace: str) -> Iterator[Reference]:
    """Ingress → the Services of its default backend and of every path."""
    spec = _dict(ingress.get("spec"))
    backends = [spec.get("defaultBackend")]
    for rule in _list(spec.get("rules")):
        backends.extend(_dict(path).get("backend") for path in _list(_dict(_dict(rule).get("http")).get("paths")))
    for backend in backends:
        if name := _dict(_dict(backend).get("service")).get("name"):
            yield _ref("routes-to", _SERVICE, namespace, name, "out")


def _http_route_backends(route: JsonObject, namespace: str) -> Iterator[Reference]:
    """HTTPRoute → its backends (Services unless a backendRef names another kind), in any namespace it names."""
    for rule in _list(_dict(route.get("spec")).get("rules")):
        for backend in _list(_dict(rule).get("backendRefs")):
            backend = _dict(backend)
            if name := backend.get("name"):
                target = (str(backend.get("group") or ""), str(backend.get("kind") or "Service"))
                yield _ref("routes-to", target, str(backend.get("namespace") or namespace), name, "out")


def _http_route_parents(route: JsonObject, namespace: str) -> Iterator[Reference]:
    """Gateway → the HTTPRoutes attached to it (parentRefs default to a Gateway of the route's namespace)."""
    for parent in _list(_dict(route.get("spec")).get("parentRefs")):
        parent = _dict(parent)
        if name := parent.get("name"):
            target = (str(parent.get("group") or _GATEWAY_API), str(parent.get("kind") or "Gateway"))
            yield _ref("routes-to", target, str(parent.get("namespace") or namespace), name, "in")


def _claim_binds(claim: JsonObject, namespace: str) -> Iterator[Reference]:
    """PVC → its PV once bound; → its StorageClass only while no volume is bound (the PV carries it then)."""
    spec = _dict(claim.get("spec"))
    if volume := spec.get("volumeName"):
        yield _ref("binds", _VOLUME, "", volume, "out")
    elif storage_class := spec.get("storageClassName"):
        yield _ref("binds", _STORAGE_CLASS, "", storage_class, "out")


def _volume_binds(volume: JsonObject, namespace: str) -> Iterator[Reference]:
    if storage_class := _dict(volume.get("spec")).get("storageClassName"):
        yield _ref("binds", _STORAGE_CLASS, "", storage_class, "out")


def _application_depends_on(application: JsonObject, namespace: str) -> Iterator[Reference]:
    """Application → what `spec.dependsOn[]` names: another Application or a CNPG Cluster (module doc)."""
    for dependency in _list(_dict(application.get("spec")).get("dependsOn")):
        dependency = _dict(dependency)
        if name := dependency.get("name"):
            other_namespace = str(dependency.get("namespace") or namespace)
            yield _ref("depends-on", _APPLICATION, other_namespace, name, "out")
            yield _ref("depends-on", _CNPG_CLUSTER, other_namespace, name, "out")


RULES: Mapping[tuple[str, str], tuple[Rule, ...]] = {
    _POD: (_pod_mounts, _pod_runs_on),
    ("networking.k8s.io", "Ingress"): (_ingress_routes,),
    (_GATEWAY_API, "HTTPRoute"): (_http_route_backends, _http_route_parents),
    _CLAIM: (_claim_binds,),
    _VOLUME: (_volume_binds,),
    _APPLICATION: (_application_depends_on,),
}


def label_selector(selector: Any, strip_prefixes: tuple[str, ...] = ()) -> Selector | None:
    """A `metav1.LabelSelector` (matchLabels, matchExpressions) as a Selector; None (selects nothing) when
    absent or unreadable. The empty selector `{}` selects everything."""
    if not isinstance(selector, dict):
        return None

    def key_of(key: Any) -> str:
        key = str(key)
        for prefix in strip_prefixes:
            if key.startswith(prefix):
                return key[len(prefix) :]
        return key

    requirements = [
        Requirement(key_of(key), "=", (str(value),)) for key, value in _dict(selector.get("matchLabels")).items()
    ]
    for expression in _list(selector.get("matchExpressions")):
        expression = _dict(expression)
        operator = _OPERATORS.get(str(expression.get("operator")))
        if operator is None or not expression.get("key"):
            return None  # the API server refuses such a selector: trust none of it
        values = tuple(str(value) for value in _list(expression.get("values")))
        requirements.append(Requirement(key_of(expression["key"]), operator, values))
    return Selector(tuple(requirements))


def _service_selector(service: JsonObject) -> Selector | None:
    """`spec.selector` is a plain map; a Service without one selects nothing (its endpoints are managed by hand)."""
    selector = _dict(_dict(service.get("spec")).get("selector"))
    if not selector:
        return None
    return Selector(tuple(Requirement(str(key), "=", (str(value),)) for key, value in selector.items()))


# What selectors select: Pods of the selecting object's namespace (the graph indexes them by labels).
SELECTABLE = frozenset({_POD})
SELECTOR_RULES: Mapping[tuple[str, str], SelectorRule] = {
    _SERVICE: _service_selector,
    ("policy", "PodDisruptionBudget"): lambda budget: label_selector(_dict(budget.get("spec")).get("selector")),
    ("networking.k8s.io", "NetworkPolicy"): lambda policy: label_selector(_dict(policy.get("spec")).get("podSelector")),
    ("cilium.io", "CiliumNetworkPolicy"): lambda policy: label_selector(
        _dict(policy.get("spec")).get("endpointSelector"), _CILIUM_SOURCES
    ),
}


def _owner_references(owners: list[Any], namespace: str) -> tuple[list[Reference], ObjectRef | None]:
    """owner → owned for every ownerReference (owners share the owned object's namespace, or are
    cluster-scoped: the graph resolves both), and the controlling one."""
    references: list[Reference] = []
    controller = None
    for owner in owners:
        if not isinstance(owner, dict) or not owner.get("name") or not owner.get("kind"):
            continue
        group = group_of(str(owner.get("apiVersion") or ""))
        other = ObjectRef(group, str(owner["kind"]), namespace, str(owner["name"]))
        references.append(Reference("owns", other, "in"))
        if owner.get("controller") is True and controller is None:
            controller = other
    return references, controller


def relations_of(obj: JsonObject, group: str, kind: str, shape: Shape) -> Relations:
    """Every reference one object carries. `shape` is its graph type's: an owner-less namespaced compute object
    (a Deployment, StatefulSet, DaemonSet, a bare Pod) is a workload its Application realizes."""
    # Runs for every object of a full derivation: plain lookups, no per-object helpers where it counts.
    metadata = _dict(obj.get("metadata"))
    namespace = str(metadata.get("namespace") or "")
    labels = _dict(metadata.get("labels"))
    owners = metadata.get("ownerReferences")
    references, controller = _owner_references(owners, namespace) if isinstance(owners, list) else ([], None)
    application = ""
    if labels:
        for name_label, namespace_label, reconciler in _FLUX_RECONCILERS:
            name, reconciler_namespace = labels.get(name_label), labels.get(namespace_label)
            if name and reconciler_namespace:
                references.append(_ref("reconciles", reconciler, str(reconciler_namespace), name, "in"))
        for key in APPLICATION_LABELS:
            if labels.get(key):
                application = str(labels[key])
                break
    carrier = (group, kind)
    for rule in RULES.get(carrier, ()):
        references.extend(rule(obj, namespace))
    if application and shape == "compute" and namespace and controller is None:
        references.append(_ref("realizes", _APPLICATION, namespace, application, "in"))
    selector_rule = SELECTOR_RULES.get(carrier)
    selector = selector_rule(obj) if selector_rule is not None else None
    node_name = ""
    for reference in references:
        if reference.edge == "runs-on":
            node_name = reference.other.name
            break
    return Relations(
        tuple(references),
        () if selector is None else (SelectorReference("selects", selector, *_POD),),
        controller,
        node_name,
        application,
    )
