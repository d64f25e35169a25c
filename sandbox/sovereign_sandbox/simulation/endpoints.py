"""The EndpointSlice controller: each selecting Service's slice lists its pods with addresses and readiness."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import Obj, is_ready, now_rfc3339, owner_reference
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["EndpointSliceController"]

_SERVICE_NAME = "kubernetes.io/service-name"
_MANAGED_BY = "endpointslice.kubernetes.io/managed-by"


def _selects(selector: dict[str, str], labels: dict[str, str] | None) -> bool:
    labels = labels or {}
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


class EndpointSliceController:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.selectors: dict[str, dict[str, dict[str, str]]] = {}  # namespace → service → selector
        engine.register("endpoints", self.reconcile)
        engine.listen(engine.kinds.service.storage_key, self._service_changed)
        engine.listen(engine.kinds.pod.storage_key, self._pod_changed)

    def start(self) -> None:
        for service in self.engine.store.list(self.engine.kinds.service).items:
            self._remember(service)

    def _remember(self, service: Obj) -> None:
        metadata = service["metadata"]
        selector = (service.get("spec") or {}).get("selector") or {}
        services = self.selectors.setdefault(metadata["namespace"], {})
        if selector:
            services[metadata["name"]] = selector
        else:
            services.pop(metadata["name"], None)

    def _service_changed(self, change: Change) -> None:
        metadata = change.obj["metadata"]
        if change.type == "DELETED":
            self.selectors.get(metadata["namespace"], {}).pop(metadata["name"], None)
            return
        self._remember(change.obj)
        self.engine.enqueue("endpoints", metadata["namespace"], metadata["name"])

    def _pod_changed(self, change: Change) -> None:
        namespace = change.obj["metadata"]["namespace"]
        labels = change.obj["metadata"].get("labels")
        old_labels = (change.old or {}).get("metadata", {}).get("labels")
        for name, selector in self.selectors.get(namespace, {}).items():
            if _selects(selector, labels) or _selects(selector, old_labels):
                self.engine.enqueue("endpoints", namespace, name)

    def reconcile(self, namespace: str, name: str) -> None:
        engine = self.engine
        kinds, writer = engine.kinds, engine.writer
        service = writer.get(kinds.service, namespace, name)
        if service is None:
            return
        selector = (service.get("spec") or {}).get("selector") or {}
        if not selector:
            return
        endpoints = []
        for pod_namespace, pod_name in sorted(engine.pods_by_namespace.get(namespace, ())):
            pod = writer.get(kinds.pod, pod_namespace, pod_name)
            if pod is None or not _selects(selector, pod["metadata"].get("labels")):
                continue
            status = pod.get("status") or {}
            if not status.get("podIP") or status.get("phase") in ("Succeeded", "Failed"):
                continue
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            ready = is_ready(pod)
            endpoint: Obj = {
                "addresses": [status["podIP"]],
                "conditions": {"ready": ready and not terminating, "serving": ready, "terminating": terminating},
                "nodeName": pod["spec"].get("nodeName", ""),
                "targetRef": {"kind": "Pod", "namespace": namespace, "name": pod_name, "uid": pod["metadata"]["uid"]},
            }
            zone = (
                (engine.writer.get(kinds.node, None, endpoint["nodeName"]) or {}).get("metadata", {}).get("labels", {})
            ).get("topology.kubernetes.io/zone")
            if zone:
                endpoint["zone"] = zone
            endpoints.append(endpoint)
        ports = [
            {
                "name": port.get("name", ""),
                "port": port.get("targetPort", port["port"]),
                "protocol": port.get("protocol", "TCP"),
            }
            for port in (service.get("spec") or {}).get("ports") or ()
        ]
        existing = engine.store.list(kinds.endpoint_slice, namespace, label_selector=f"{_SERVICE_NAME}={name}").items
        if not existing:
            slice_name = engine.pod_name(name, namespace)
            writer.create(
                kinds.endpoint_slice,
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": slice_name,
                        "namespace": namespace,
                        "generateName": f"{name}-",
                        "labels": {_SERVICE_NAME: name, _MANAGED_BY: "endpointslice-controller.k8s.io"},
                        "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": now_rfc3339()},
                        "ownerReferences": [owner_reference(service)],
                    },
                    "addressType": "IPv4",
                    "endpoints": endpoints,
                    "ports": ports,
                },
            )
            return
        current = existing[0]
        if current.get("endpoints") == endpoints and current.get("ports") == ports:
            return
        updated = copy.deepcopy(current)
        updated["endpoints"] = endpoints
        updated["ports"] = ports
        updated["metadata"].setdefault("annotations", {})["endpoints.kubernetes.io/last-change-trigger-time"] = (
            now_rfc3339()
        )
        writer.replace(kinds.endpoint_slice, updated)
