"""What the control plane keeps for itself: PriorityClasses, API Priority and Fairness objects, the
APIService list, recent CertificateSigningRequests and the RuntimeClass the platform offers.

The built-in objects carry the names, values and annotations a real kube-apiserver 1.37 bootstraps.
"""

from __future__ import annotations

import base64

from sovereign_sandbox.world.cluster import CLUSTER_AGE
from sovereign_sandbox.world.context import HOUR, MINUTE, WorldContext
from sovereign_sandbox.world.people import persona_user

__all__ = ["control_plane"]

_AUTOUPDATE = {"apf.kubernetes.io/autoupdate-spec": "true"}
_FLUX_LABELS = {
    "kustomize.toolkit.fluxcd.io/name": "platform",
    "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
}

# name → (value, description, preemption policy); the first two are bootstrapped by the API server.
_PRIORITY_CLASSES = {
    "system-node-critical": (
        2000001000,
        "Used for system critical pods that must not be moved from their current node.",
        "PreemptLowerPriority",
    ),
    "system-cluster-critical": (
        2000000000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
        "PreemptLowerPriority",
    ),
    "platform-critical": (
        100000000,
        "OpenOva platform controllers: preempted only after every application workload.",
        "PreemptLowerPriority",
    ),
    "tenant-batch": (-100, "Batch jobs of tenant applications: they wait rather than preempt.", "Never"),
}

# name → (type, nominalConcurrencyShares, lendablePercent, queues, handSize, queueLengthLimit); the
# mandatory `exempt` and `catch-all` and the suggested levels, as the API server creates them.
_PRIORITY_LEVELS = {
    "exempt": ("Exempt", 0, 0, 0, 0, 0),
    "system": ("Limited", 30, 33, 64, 6, 50),
    "node-high": ("Limited", 40, 25, 64, 6, 50),
    "leader-election": ("Limited", 10, 0, 16, 4, 50),
    "workload-high": ("Limited", 40, 50, 128, 6, 50),
    "workload-low": ("Limited", 100, 90, 128, 6, 50),
    "global-default": ("Limited", 20, 50, 128, 6, 50),
    "catch-all": ("Limited", 5, 0, 0, 0, 0),
}

# name → (priority level, matching precedence, distinguisher, subjects, verbs, resource groups)
_ALL = ["*"]
_FLOW_SCHEMAS = {
    "exempt": ("exempt", 1, None, [("Group", "system:masters")], _ALL, _ALL),
    "probes": ("exempt", 2, None, [("Group", "system:unauthenticated"), ("Group", "system:authenticated")], [], []),
    "system-leader-election": (
        "leader-election",
        100,
        "ByUser",
        [("User", "system:kube-controller-manager"), ("User", "system:kube-scheduler")],
        ["get", "create", "update"],
        ["coordination.k8s.io"],
    ),
    "endpoint-controller": (
        "workload-high",
        150,
        "ByUser",
        [("User", "system:kube-controller-manager"), ("ServiceAccount", "kube-system/endpoint-controller")],
        ["get", "create", "update"],
        [""],
    ),
    "workload-leader-election": (
        "leader-election",
        200,
        "ByUser",
        [("ServiceAccount", "kube-system/*")],
        ["get", "create", "update"],
        ["coordination.k8s.io"],
    ),
    "system-node-high": ("node-high", 400, "ByUser", [("Group", "system:nodes")], _ALL, ["", "coordination.k8s.io"]),
    "system-nodes": ("system", 500, "ByUser", [("Group", "system:nodes")], _ALL, _ALL),
    "kube-controller-manager": (
        "workload-high",
        800,
        "ByNamespace",
        [("User", "system:kube-controller-manager")],
        _ALL,
        _ALL,
    ),
    "kube-scheduler": ("workload-high", 800, "ByNamespace", [("User", "system:kube-scheduler")], _ALL, _ALL),
    "kube-system-service-accounts": (
        "workload-high",
        900,
        "ByNamespace",
        [("ServiceAccount", "kube-system/*")],
        _ALL,
        _ALL,
    ),
    "service-accounts": ("workload-low", 9000, "ByUser", [("Group", "system:serviceaccounts")], _ALL, _ALL),
    "global-default": (
        "global-default",
        9900,
        "ByUser",
        [("Group", "system:unauthenticated"), ("Group", "system:authenticated")],
        _ALL,
        _ALL,
    ),
    "catch-all": (
        "catch-all",
        10000,
        "ByUser",
        [("Group", "system:unauthenticated"), ("Group", "system:authenticated")],
        _ALL,
        _ALL,
    ),
}

# The built-in group versions the aggregator registers locally: (group, version, group priority, version priority).
_LOCAL_API_SERVICES = (
    ("", "v1", 18000, 1),
    ("apiregistration.k8s.io", "v1", 18000, 15),
    ("apps", "v1", 17800, 15),
    ("events.k8s.io", "v1", 17750, 15),
    ("authentication.k8s.io", "v1", 17700, 15),
    ("authorization.k8s.io", "v1", 17600, 15),
    ("autoscaling", "v2", 17500, 30),
    ("autoscaling", "v1", 17500, 15),
    ("batch", "v1", 17400, 15),
    ("certificates.k8s.io", "v1", 17300, 15),
    ("networking.k8s.io", "v1", 17200, 15),
    ("policy", "v1", 17100, 15),
    ("rbac.authorization.k8s.io", "v1", 17000, 15),
    ("storage.k8s.io", "v1", 16800, 15),
    ("admissionregistration.k8s.io", "v1", 16700, 15),
    ("apiextensions.k8s.io", "v1", 16700, 15),
    ("scheduling.k8s.io", "v1", 16600, 15),
    ("coordination.k8s.io", "v1", 16500, 15),
    ("node.k8s.io", "v1", 16300, 15),
    ("discovery.k8s.io", "v1", 16200, 15),
    ("flowcontrol.apiserver.k8s.io", "v1", 16100, 21),
)


def _metadata(context: WorldContext, name: str, age: float, labels=None, annotations=None) -> dict:
    return {
        "name": name,
        "labels": dict(labels or {}),
        "annotations": dict(annotations or {}),
        "creationTimestamp": context.timestamp(age),
    }


def _priority_classes(context: WorldContext) -> None:
    for index, (name, (value, description, preemption)) in enumerate(_PRIORITY_CLASSES.items()):
        built_in = name.startswith("system-")
        context.add(
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": _metadata(
                    context,
                    name,
                    CLUSTER_AGE - 5 if built_in else CLUSTER_AGE - HOUR - index,
                    None if built_in else _FLUX_LABELS,
                ),
                "value": value,
                "globalDefault": False,
                "description": description,
                "preemptionPolicy": preemption,
            }
        )


def _priority_level(context: WorldContext, name: str) -> dict:
    kind, shares, lendable, queues, hand_size, queue_length = _PRIORITY_LEVELS[name]
    if kind == "Exempt":
        spec: dict = {"type": "Exempt", "exempt": {"nominalConcurrencyShares": shares, "lendablePercent": lendable}}
    else:
        response: dict = {"type": "Reject"}
        if queues:
            response = {
                "type": "Queue",
                "queuing": {"queues": queues, "handSize": hand_size, "queueLengthLimit": queue_length},
            }
        spec = {
            "type": "Limited",
            "limited": {"nominalConcurrencyShares": shares, "lendablePercent": lendable, "limitResponse": response},
        }
    return {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1",
        "kind": "PriorityLevelConfiguration",
        "metadata": _metadata(context, name, CLUSTER_AGE - 5, annotations=_AUTOUPDATE) | {"generation": 1},
        "spec": spec,
        "status": {},
    }


def _subject(kind: str, name: str) -> dict:
    if kind == "ServiceAccount":
        namespace, account = name.split("/")
        return {"kind": kind, "serviceAccount": {"namespace": namespace, "name": account}}
    return {"kind": kind, kind.lower(): {"name": name}}


def _flow_schema(context: WorldContext, name: str) -> dict:
    level, precedence, distinguisher, subjects, verbs, groups = _FLOW_SCHEMAS[name]
    rule: dict = {"subjects": [_subject(kind, subject) for kind, subject in subjects]}
    if verbs:
        rule["resourceRules"] = [
            {"verbs": verbs, "apiGroups": groups, "resources": ["*"], "clusterScope": True, "namespaces": ["*"]}
        ]
    if name in ("exempt", "probes", "global-default", "catch-all", "system-nodes"):
        paths = ["/healthz", "/readyz", "/livez"] if name == "probes" else ["*"]
        rule["nonResourceRules"] = [{"verbs": ["get"] if name == "probes" else ["*"], "nonResourceURLs": paths}]
    spec: dict = {
        "priorityLevelConfiguration": {"name": level},
        "matchingPrecedence": precedence,
        "rules": [rule],
    }
    if distinguisher:
        spec["distinguisherMethod"] = {"type": distinguisher}
    found = context.timestamp(CLUSTER_AGE - 5)
    return {
        "apiVersion": "flowcontrol.apiserver.k8s.io/v1",
        "kind": "FlowSchema",
        "metadata": _metadata(context, name, CLUSTER_AGE - 5, annotations=_AUTOUPDATE) | {"generation": 1},
        "spec": spec,
        "status": {
            "conditions": [
                {
                    "type": "Dangling",
                    "status": "False",
                    "lastTransitionTime": found,
                    "reason": "Found",
                    "message": f'This FlowSchema references the PriorityLevelConfiguration object named "{level}" '
                    "and it exists",
                }
            ]
        },
    }


def _api_service(context: WorldContext, group: str, version: str, priorities: tuple[int, int], **options) -> dict:
    name = f"{version}.{group}"
    available = context.timestamp(options.get("age", CLUSTER_AGE) - 20)
    spec: dict = {"group": group, "version": version}
    if options.get("service"):
        spec |= {"service": options["service"], "insecureSkipTLSVerify": True}
    spec |= {"groupPriorityMinimum": priorities[0], "versionPriority": priorities[1]}
    reason, message = (
        ("Passed", "all checks passed")
        if options.get("service")
        else ("Local", "Local APIServices are always available")
    )
    return {
        "apiVersion": "apiregistration.k8s.io/v1",
        "kind": "APIService",
        "metadata": _metadata(context, name, options.get("age", CLUSTER_AGE), options.get("labels")),
        "spec": spec,
        "status": {
            "conditions": [
                {
                    "type": "Available",
                    "status": "True",
                    "lastTransitionTime": available,
                    "reason": reason,
                    "message": message,
                }
            ]
        },
    }


def _api_services(context: WorldContext) -> None:
    for group, version, group_priority, version_priority in _LOCAL_API_SERVICES:
        labels = {"kube-aggregator.kubernetes.io/automanaged": "onstart"}
        context.add(_api_service(context, group, version, (group_priority, version_priority), labels=labels))
    # The aggregator registers every served version of every CRD group too.
    registered = {f"{version}.{group}" for group, version, _, _ in _LOCAL_API_SERVICES}
    for definition in [item for item in context.objects if item["kind"] == "CustomResourceDefinition"]:
        group = definition["spec"]["group"]
        for version in definition["spec"]["versions"]:
            if not version.get("served", True) or f"{version['name']}.{group}" in registered:
                continue
            registered.add(f"{version['name']}.{group}")
            labels = {"kube-aggregator.kubernetes.io/automanaged": "true"}
            service = _api_service(context, group, version["name"], (1000, 100), labels=labels, age=CLUSTER_AGE - 1800)
            context.add(service)
    metrics_labels = {"app.kubernetes.io/name": "metrics-server", "app.kubernetes.io/managed-by": "Helm"}
    context.add(
        _api_service(
            context,
            "metrics.k8s.io",
            "v1beta1",
            (100, 100),
            service={"namespace": "kube-system", "name": "metrics-server", "port": 443},
            labels=metrics_labels,
            age=CLUSTER_AGE - HOUR,
        )
    )


def _pem_request(context: WorldContext, subject: str) -> str:
    body = base64.b64encode(f"{subject}/{context.hex(96)}".encode()).decode()
    text = f"-----BEGIN CERTIFICATE REQUEST-----\n{body}\n-----END CERTIFICATE REQUEST-----\n"
    return base64.b64encode(text.encode()).decode()


def _signing_requests(context: WorldContext) -> None:
    """Approved requests are collected after an hour and pending ones after a day, so only recent ones remain."""
    workers = context.workers()
    kubelet = workers[context.rng.randrange(len(workers))].name
    operator = persona_user("sre")  # a person asking for a break-glass client certificate
    requests = (
        # (requestor, groups, signer, usages, age, approval (reason, message), expiration)
        (
            f"system:node:{kubelet}",
            ["system:nodes", "system:authenticated"],
            "kubernetes.io/kubelet-serving",
            ["digital signature", "server auth"],
            context.between(8 * MINUTE, 50 * MINUTE),
            ("AutoApproved", "Auto approving kubelet serving certificate after SubjectAccessReview."),
            None,
        ),
        (
            f"system:node:{kubelet}",
            ["system:nodes", "system:authenticated"],
            "kubernetes.io/kube-apiserver-client-kubelet",
            ["digital signature", "client auth"],
            context.between(5 * MINUTE, 40 * MINUTE),
            ("AutoApproved", "Auto approving self kubelet client certificate after SubjectAccessReview."),
            None,
        ),
        (
            operator.name,
            [*operator.groups, "system:authenticated"],
            "kubernetes.io/kube-apiserver-client",
            ["client auth"],
            context.between(2 * HOUR, 9 * HOUR),
            None,
            86400,
        ),
    )
    for requestor, groups, signer, usages, age, approval, expiration in requests:
        name = f"csr-{context.suffix(5)}" if requestor.startswith("system:") else "sre-breakglass"
        spec: dict = {
            "request": _pem_request(context, requestor),
            "signerName": signer,
            "usages": usages,
            "username": requestor,
            "groups": groups,
        }
        if expiration:
            spec["expirationSeconds"] = expiration
        status: dict = {}
        if approval:
            approved = context.timestamp(age - 1)
            status = {
                "conditions": [
                    {
                        "type": "Approved",
                        "status": "True",
                        "reason": approval[0],
                        "message": approval[1],
                        "lastUpdateTime": approved,
                        "lastTransitionTime": approved,
                    }
                ],
                "certificate": base64.b64encode(
                    f"-----BEGIN CERTIFICATE-----\n{context.hex(120)}\n-----END CERTIFICATE-----\n".encode()
                ).decode(),
            }
        context.add(
            {
                "apiVersion": "certificates.k8s.io/v1",
                "kind": "CertificateSigningRequest",
                "metadata": _metadata(context, name, age),
                "spec": spec,
                "status": status,
            }
        )


def _runtime_class(context: WorldContext) -> None:
    context.add(
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": _metadata(context, "gvisor", CLUSTER_AGE - 2 * HOUR, _FLUX_LABELS),
            "handler": "runsc",
            "overhead": {"podFixed": {"cpu": "250m", "memory": "120Mi"}},
            "scheduling": {"nodeSelector": {"openova.io/node-pool": "general"}},
        }
    )


def control_plane(context: WorldContext) -> None:
    """Add the control plane's own objects (after the CRDs and nodes they refer to)."""
    _priority_classes(context)
    for name in _PRIORITY_LEVELS:
        context.add(_priority_level(context, name))
    for name in _FLOW_SCHEMAS:
        context.add(_flow_schema(context, name))
    _api_services(context)
    _signing_requests(context)
    _runtime_class(context)
