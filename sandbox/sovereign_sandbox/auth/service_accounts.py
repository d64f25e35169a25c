"""Service accounts of pods: the ServiceAccount admission plugin and the controller that gives every namespace
its `default` account.

Admission (`plugin/pkg/admission/serviceaccount`) runs on every pod create, the controllers' included: a pod
without an account gets `default`, the account must exist (else 403 `error looking up service account …`),
and unless automounting is turned off every container mounts the projected `kube-api-access-…` token volume.
The controller (`pkg/controller/serviceaccount`) creates `default` in each new namespace, and again if it is
deleted while the namespace lives.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sovereign_sandbox.storage.admission import CREATE, AdmissionRequest, forbidden
from sovereign_sandbox.storage.objects import generate_name
from sovereign_sandbox.storage.store import Store
from sovereign_sandbox.storage.watch import Change

__all__ = ["DEFAULT", "DefaultServiceAccounts", "ServiceAccountAdmission"]

DEFAULT = "default"
_ACCOUNTS = "/serviceaccounts"
_NAMESPACES = "/namespaces"
_MIRROR_POD = "kubernetes.io/config.mirror"
_TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
_TOKEN_VOLUME_PREFIX = "kube-api-access-"
# `TokenVolumeSource()`: a bound token, the cluster CA and the pod's namespace, files mode 0644.
_TOKEN_VOLUME_SOURCE: dict[str, Any] = {
    "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {
            "downwardAPI": {
                "items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]
            }
        },
    ],
    "defaultMode": 420,
}


class ServiceAccountAdmission:
    """The admission plugin for pods (register it for `/pods`)."""

    def __init__(self, store: Store):
        self._store = store

    def __call__(self, request: AdmissionRequest) -> None:
        if request.operation != CREATE or request.subresource:
            return  # the real plugin mutates and checks only pod creates (ephemeral containers aside)
        pod = request.obj
        spec = pod.get("spec")
        if not isinstance(spec, dict):
            return  # validation refuses it
        annotations = (pod.get("metadata") or {}).get("annotations") or {}
        if _MIRROR_POD in annotations:
            if spec.get("serviceAccountName"):
                raise forbidden(request, "a mirror pod may not reference service accounts")
            return
        # `serviceAccount` is the deprecated alias: read when the new field is empty, always mirrored.
        name = spec.get("serviceAccountName") or spec.get("serviceAccount") or DEFAULT
        account = self._store.stored(_ACCOUNTS, (request.namespace, name))
        if account is None:
            raise forbidden(
                request,
                f'error looking up service account {request.namespace}/{name}: serviceaccount "{name}" not found',
            )
        spec["serviceAccountName"] = spec["serviceAccount"] = name
        if _automounts(account, spec):
            _mount_token(spec)
        if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": secret.get("name", "")} for secret in account["imagePullSecrets"]]


def _automounts(account: dict[str, Any], spec: dict[str, Any]) -> bool:
    """The pod's `automountServiceAccountToken` wins, then the account's; mounted when neither says."""
    for preference in (spec.get("automountServiceAccountToken"), account.get("automountServiceAccountToken")):
        if preference is not None:
            return bool(preference)
    return True


def _mount_token(spec: dict[str, Any]) -> None:
    """Mount the token volume into every (init) container without something at the token path already."""
    volumes = spec.get("volumes") if isinstance(spec.get("volumes"), list) else []
    existing = next(
        (volume["name"] for volume in volumes if str(volume.get("name", "")).startswith(_TOKEN_VOLUME_PREFIX)), None
    )
    volume_name = existing or generate_name(_TOKEN_VOLUME_PREFIX)
    needs_volume = False
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or ():
            if not isinstance(container, dict):
                continue
            mounts = container.get("volumeMounts") or []
            if any(isinstance(mount, dict) and mount.get("mountPath") == _TOKEN_MOUNT_PATH for mount in mounts):
                continue
            container["volumeMounts"] = [
                *mounts,
                {"name": volume_name, "readOnly": True, "mountPath": _TOKEN_MOUNT_PATH},
            ]
            needs_volume = True
    if needs_volume and existing is None:
        spec["volumes"] = [*volumes, {"name": volume_name, "projected": copy.deepcopy(_TOKEN_VOLUME_SOURCE)}]


class DefaultServiceAccounts:
    """Keeps a `default` ServiceAccount in every live namespace, as kube-controller-manager does.

    It acts on the store's change feed, synchronously, so a pod can be created right after its namespace.
    Seed loads are its start state: `paused()` while loading, then `catch_up()` fills what the seed lacks.
    """

    def __init__(self, store: Store):
        self._store = store
        self._paused = False
        store.observe(self._observe)

    @contextmanager
    def paused(self) -> Iterator[None]:
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def catch_up(self) -> int:
        """Create the `default` accounts live namespaces lack; returns how many."""
        namespaces = self._store.catalogue.for_storage(_NAMESPACES)
        if not namespaces:
            return 0
        created = 0
        for namespace in self._store.list(namespaces[0]).items:
            created += self._ensure(namespace["metadata"]["name"])
        return created

    def _observe(self, change: Change) -> None:
        if self._paused:
            return
        if change.storage_key == _NAMESPACES and change.type == "ADDED":
            self._ensure(change.obj["metadata"]["name"])
        elif change.storage_key == _ACCOUNTS and change.type == "DELETED" and change.obj["metadata"]["name"] == DEFAULT:
            self._ensure(change.obj["metadata"]["namespace"])

    def _ensure(self, namespace: str) -> int:
        owning = self._store.stored(_NAMESPACES, ("", namespace))
        if owning is None or owning["metadata"].get("deletionTimestamp"):
            return 0
        if self._store.stored(_ACCOUNTS, (namespace, DEFAULT)) is not None:
            return 0
        accounts = self._store.catalogue.for_storage(_ACCOUNTS)
        if not accounts:
            return 0
        self._store.create(accounts[0], namespace, {"metadata": {"name": DEFAULT, "namespace": namespace}})
        return 1
