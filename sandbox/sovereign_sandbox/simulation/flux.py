"""Flux's helm- and kustomize-controllers, reduced to their conditions: Ready stays as seeded (the Degraded
release stays degraded), a `reconcile.fluxcd.io/requestedAt` request is handled, `spec.suspend` shows."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import Obj, now_rfc3339
from sovereign_sandbox.storage.resources import ResourceType
from sovereign_sandbox.storage.watch import Change

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["FluxController"]

_REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"


class FluxController:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.types: dict[str, ResourceType] = {}
        for kind, resource in (
            ("HelmRelease", engine.kinds.helm_release),
            ("Kustomization", engine.kinds.kustomization),
        ):
            if resource is None:
                continue
            self.types[kind] = resource
            engine.register(f"flux/{kind}", self._reconciler(kind))
            engine.listen(resource.storage_key, self._changed(kind))
        # uid → the Ready condition last seen while not suspended (restored when resumed)
        self._ready: dict[str, Obj] = {}

    def _changed(self, kind: str):
        def listener(change: Change) -> None:
            if change.type != "DELETED":
                metadata = change.obj["metadata"]
                self.engine.enqueue(f"flux/{kind}", metadata.get("namespace", ""), metadata["name"])

        return listener

    def _reconciler(self, kind: str):
        def reconcile(namespace: str, name: str) -> None:
            engine = self.engine
            resource = self.types[kind]
            obj = engine.writer.get(resource, namespace or None, name)
            if obj is None:
                return
            uid = obj["metadata"]["uid"]
            status = copy.deepcopy(obj.get("status") or {})
            conditions = [condition for condition in status.get("conditions") or () if condition.get("type") != "Ready"]
            ready = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), None)
            now = now_rfc3339()
            suspended = bool((obj.get("spec") or {}).get("suspend"))
            if ready is not None and ready.get("reason") != "Suspended":
                self._ready.setdefault(uid, copy.deepcopy(ready))
            requested = (obj["metadata"].get("annotations") or {}).get(_REQUESTED_AT)
            if suspended:
                if ready is None or ready.get("reason") != "Suspended":
                    ready = {
                        "type": "Ready",
                        "status": "False",
                        "observedGeneration": obj["metadata"].get("generation", 1),
                        "lastTransitionTime": now,
                        "reason": "Suspended",
                        "message": "Reconciliation is suspended",
                    }
            else:
                remembered = self._ready.get(uid)
                if ready is None or ready.get("reason") == "Suspended":
                    ready = copy.deepcopy(remembered) if remembered else None
                    if ready is None:
                        ready = {
                            "type": "Ready",
                            "status": "True",
                            "reason": "ReconciliationSucceeded",
                            "message": "Applied revision",
                        }
                    ready["lastTransitionTime"] = now
                if requested and requested != status.get("lastHandledReconcileAt"):
                    status["lastHandledReconcileAt"] = requested
                    ready = dict(
                        ready,
                        lastTransitionTime=now
                        if ready.get("status") != "True"
                        else ready.get("lastTransitionTime", now),
                    )
                    engine.recorder.record(
                        obj,
                        "ReconciliationSucceeded"
                        if ready.get("status") == "True"
                        else ready.get("reason", "Progressing"),
                        ready.get("message", ""),
                        component="helm-controller" if kind == "HelmRelease" else "kustomize-controller",
                        warning=ready.get("status") != "True",
                    )
                ready["observedGeneration"] = obj["metadata"].get("generation", 1)
                status["observedGeneration"] = obj["metadata"].get("generation", 1)
                self._ready[uid] = copy.deepcopy(ready)
            status["conditions"] = [ready, *conditions]
            engine.writer.set_status(resource, obj, status)

        return reconcile
