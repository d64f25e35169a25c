"""The built-in resource types a real kube-apiserver 1.37 serves, as data.

Names, verbs, short names, categories and subresources are those of the real server's discovery (cross-checked
with a real cluster's APIResourceLists); groups are listed in the order the real `/apis` lists them. Table
columns come from the printers (`apiserver/printers*.py`).
"""

from __future__ import annotations

from sovereign_sandbox.apiserver.printers import COLUMNS as WORKLOAD_COLUMNS
from sovereign_sandbox.apiserver.printers_platform import COLUMNS as PLATFORM_COLUMNS
from sovereign_sandbox.storage.resources import STANDARD_VERBS, STATUS_VERBS, ResourceType, Subresource

__all__ = ["BUILTIN_RESOURCES"]

_COLUMNS = {**WORKLOAD_COLUMNS, **PLATFORM_COLUMNS}
_ALL = ("all",)
_API_EXTENSIONS = ("api-extensions",)
_CREATE_ONLY = ("create",)


def _status(kind: str) -> Subresource:
    return Subresource("status", kind, STATUS_VERBS)


_SCALE = Subresource("scale", "Scale", STATUS_VERBS)


def _builtin(
    group: str,
    version: str,
    plural: str,
    kind: str,
    namespaced: bool = True,
    *,
    short: tuple[str, ...] = (),
    categories: tuple[str, ...] = (),
    subresources: tuple[Subresource, ...] = (),
    verbs: tuple[str, ...] = STANDARD_VERBS,
    generation: bool = True,
    storage: str = "",
    returns_deleted_object: bool = False,
    singular: str = "",
) -> ResourceType:
    return ResourceType(
        group=group,
        version=version,
        plural=plural,
        singular=singular or kind.lower(),
        kind=kind,
        namespaced=namespaced,
        verbs=verbs,
        short_names=short,
        categories=categories,
        subresources=subresources,
        columns=_COLUMNS.get((group, plural), ()),
        storage=storage,
        tracks_generation=generation,
        returns_deleted_object=returns_deleted_object,
    )


_POD_SUBRESOURCES = (
    Subresource("attach", "PodAttachOptions", ("create", "get")),
    Subresource("binding", "Binding", ("create",)),
    Subresource("ephemeralcontainers", "Pod", STATUS_VERBS),
    Subresource("eviction", "Eviction", ("create",)),
    Subresource("exec", "PodExecOptions", ("create", "get")),
    Subresource("log", "Pod", ("get",)),
    Subresource("portforward", "PodPortForwardOptions", ("create", "get")),
    Subresource("resize", "Pod", STATUS_VERBS),
    _status("Pod"),
)
_NAMESPACE_VERBS = tuple(verb for verb in STANDARD_VERBS if verb != "deletecollection")
_RBAC = "rbac.authorization.k8s.io"
_ADMISSION = "admissionregistration.k8s.io"
_FLOW_CONTROL = "flowcontrol.apiserver.k8s.io"

_CORE_RESOURCES = (
    _builtin("", "v1", "configmaps", "ConfigMap", short=("cm",), generation=False),
    _builtin("", "v1", "endpoints", "Endpoints", short=("ep",), generation=False, singular="endpoints"),
    _builtin("", "v1", "events", "Event", short=("ev",), generation=False),
    _builtin("", "v1", "limitranges", "LimitRange", short=("limits",), generation=False),
    _builtin(
        "",
        "v1",
        "namespaces",
        "Namespace",
        False,
        short=("ns",),
        generation=False,
        verbs=_NAMESPACE_VERBS,
        subresources=(Subresource("finalize", "Namespace", ("update",)), _status("Namespace")),
    ),
    _builtin(
        "",
        "v1",
        "nodes",
        "Node",
        False,
        short=("no",),
        generation=False,
        subresources=(
            Subresource("proxy", "NodeProxyOptions", ("create", "delete", "get", "patch", "update")),
            _status("Node"),
        ),
    ),
    _builtin(
        "",
        "v1",
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        short=("pvc",),
        generation=False,
        subresources=(_status("PersistentVolumeClaim"),),
    ),
    _builtin(
        "",
        "v1",
        "persistentvolumes",
        "PersistentVolume",
        False,
        short=("pv",),
        generation=False,
        subresources=(_status("PersistentVolume"),),
    ),
    _builtin(
        "",
        "v1",
        "pods",
        "Pod",
        short=("po",),
        categories=_ALL,
        subresources=_POD_SUBRESOURCES,
        returns_deleted_object=True,
    ),
    _builtin("", "v1", "podtemplates", "PodTemplate", generation=False),
    _builtin(
        "",
        "v1",
        "replicationcontrollers",
        "ReplicationController",
        short=("rc",),
        categories=_ALL,
        subresources=(_SCALE, _status("ReplicationController")),
    ),
    _builtin(
        "",
        "v1",
        "resourcequotas",
        "ResourceQuota",
        short=("quota",),
        generation=False,
        subresources=(_status("ResourceQuota"),),
    ),
    _builtin("", "v1", "secrets", "Secret", generation=False),
    _builtin(
        "",
        "v1",
        "serviceaccounts",
        "ServiceAccount",
        short=("sa",),
        generation=False,
        subresources=(Subresource("token", "TokenRequest", ("create",)),),
    ),
    _builtin(
        "",
        "v1",
        "services",
        "Service",
        short=("svc",),
        categories=_ALL,
        generation=False,
        subresources=(_status("Service"),),
    ),
)

_GROUP_RESOURCES = (
    _builtin(
        "apiregistration.k8s.io",
        "v1",
        "apiservices",
        "APIService",
        False,
        categories=_API_EXTENSIONS,
        generation=False,
        subresources=(_status("APIService"),),
    ),
    _builtin("apps", "v1", "controllerrevisions", "ControllerRevision", generation=False),
    _builtin(
        "apps", "v1", "daemonsets", "DaemonSet", short=("ds",), categories=_ALL, subresources=(_status("DaemonSet"),)
    ),
    _builtin(
        "apps",
        "v1",
        "deployments",
        "Deployment",
        short=("deploy",),
        categories=_ALL,
        subresources=(_SCALE, _status("Deployment")),
    ),
    _builtin(
        "apps",
        "v1",
        "replicasets",
        "ReplicaSet",
        short=("rs",),
        categories=_ALL,
        subresources=(_SCALE, _status("ReplicaSet")),
    ),
    _builtin(
        "apps",
        "v1",
        "statefulsets",
        "StatefulSet",
        short=("sts",),
        categories=_ALL,
        subresources=(_SCALE, _status("StatefulSet")),
    ),
    _builtin("events.k8s.io", "v1", "events", "Event", short=("ev",), generation=False, storage="/events"),
    _builtin("authentication.k8s.io", "v1", "tokenreviews", "TokenReview", False, verbs=_CREATE_ONLY, generation=False),
    _builtin(
        "authorization.k8s.io",
        "v1",
        "localsubjectaccessreviews",
        "LocalSubjectAccessReview",
        verbs=_CREATE_ONLY,
        generation=False,
    ),
    # autoscaling/v2 is the preferred version; v1 serves the same objects (converted by `conversions`).
    _builtin(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        short=("hpa",),
        categories=_ALL,
        subresources=(_status("HorizontalPodAutoscaler"),),
    ),
    _builtin(
        "autoscaling",
        "v1",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        short=("hpa",),
        categories=_ALL,
        subresources=(_status("HorizontalPodAutoscaler"),),
    ),
    _builtin("batch", "v1", "cronjobs", "CronJob", short=("cj",), categories=_ALL, subresources=(_status("CronJob"),)),
    _builtin("batch", "v1", "jobs", "Job", categories=_ALL, subresources=(_status("Job"),)),
    _builtin(
        "certificates.k8s.io",
        "v1",
        "certificatesigningrequests",
        "CertificateSigningRequest",
        False,
        short=("csr",),
        generation=False,
        subresources=(
            Subresource("approval", "CertificateSigningRequest", STATUS_VERBS),
            _status("CertificateSigningRequest"),
        ),
    ),
    _builtin("networking.k8s.io", "v1", "ingressclasses", "IngressClass", False),
    _builtin("networking.k8s.io", "v1", "ingresses", "Ingress", short=("ing",), subresources=(_status("Ingress"),)),
    _builtin("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    _builtin(
        "policy",
        "v1",
        "poddisruptionbudgets",
        "PodDisruptionBudget",
        short=("pdb",),
        subresources=(_status("PodDisruptionBudget"),),
    ),
    _builtin(_RBAC, "v1", "clusterrolebindings", "ClusterRoleBinding", False, generation=False),
    _builtin(_RBAC, "v1", "clusterroles", "ClusterRole", False, generation=False),
    _builtin(_RBAC, "v1", "rolebindings", "RoleBinding", generation=False),
    _builtin(_RBAC, "v1", "roles", "Role", generation=False),
    _builtin("storage.k8s.io", "v1", "csidrivers", "CSIDriver", False),
    _builtin("storage.k8s.io", "v1", "csinodes", "CSINode", False, generation=False),
    _builtin("storage.k8s.io", "v1", "csistoragecapacities", "CSIStorageCapacity", generation=False),
    _builtin("storage.k8s.io", "v1", "storageclasses", "StorageClass", False, short=("sc",), generation=False),
    _builtin(
        "storage.k8s.io",
        "v1",
        "volumeattachments",
        "VolumeAttachment",
        False,
        generation=False,
        subresources=(_status("VolumeAttachment"),),
    ),
    _builtin(
        _ADMISSION,
        "v1",
        "mutatingwebhookconfigurations",
        "MutatingWebhookConfiguration",
        False,
        categories=_API_EXTENSIONS,
    ),
    _builtin(
        _ADMISSION,
        "v1",
        "validatingadmissionpolicies",
        "ValidatingAdmissionPolicy",
        False,
        categories=_API_EXTENSIONS,
        subresources=(_status("ValidatingAdmissionPolicy"),),
    ),
    _builtin(
        _ADMISSION,
        "v1",
        "validatingadmissionpolicybindings",
        "ValidatingAdmissionPolicyBinding",
        False,
        categories=_API_EXTENSIONS,
    ),
    _builtin(
        _ADMISSION,
        "v1",
        "validatingwebhookconfigurations",
        "ValidatingWebhookConfiguration",
        False,
        categories=_API_EXTENSIONS,
    ),
    _builtin(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        False,
        short=("crd", "crds"),
        categories=_API_EXTENSIONS,
        subresources=(_status("CustomResourceDefinition"),),
    ),
    _builtin("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False, short=("pc",), generation=False),
    _builtin("coordination.k8s.io", "v1", "leases", "Lease", generation=False),
    _builtin("node.k8s.io", "v1", "runtimeclasses", "RuntimeClass", False, generation=False),
    _builtin("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", generation=False),
    _builtin(_FLOW_CONTROL, "v1", "flowschemas", "FlowSchema", False, subresources=(_status("FlowSchema"),)),
    _builtin(
        _FLOW_CONTROL,
        "v1",
        "prioritylevelconfigurations",
        "PriorityLevelConfiguration",
        False,
        subresources=(_status("PriorityLevelConfiguration"),),
    ),
)

BUILTIN_RESOURCES: tuple[ResourceType, ...] = _CORE_RESOURCES + _GROUP_RESOURCES
