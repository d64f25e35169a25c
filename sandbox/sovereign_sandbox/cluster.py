"""The cluster state one API server serves: catalogue, store, identities and the authorization hook."""

from __future__ import annotations

import base64
import logging
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sovereign_sandbox.apiserver import customresources
from sovereign_sandbox.apiserver.conversions import storage_resource, to_storage
from sovereign_sandbox.auth import rbac
from sovereign_sandbox.auth.authentication import TokenVerifier, User
from sovereign_sandbox.auth.authorization import Attributes, Authorizer, Decision
from sovereign_sandbox.auth.escalation import RBAC_STORAGE_KEYS, EscalationCheck
from sovereign_sandbox.auth.service_accounts import DefaultServiceAccounts, ServiceAccountAdmission
from sovereign_sandbox.node.container_roots import ContainerRoots
from sovereign_sandbox.storage.resources import Catalogue, ResourceType
from sovereign_sandbox.storage.store import Store

__all__ = ["Cluster"]

_NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
_log = logging.getLogger(__name__)


class _NamespaceStrategy:
    """Namespaces are Active, carry the `kubernetes` finalizer in spec and their immutable name label."""

    def prepare_create(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        self._prepare(obj)

    def prepare_update(self, resource: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._prepare(new)

    @staticmethod
    def _prepare(obj: dict[str, Any]) -> None:
        metadata = obj["metadata"]
        metadata["labels"] = {**(metadata.get("labels") or {}), _NAMESPACE_NAME_LABEL: metadata["name"]}
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        status = obj.setdefault("status", {})
        status["phase"] = "Terminating" if metadata.get("deletionTimestamp") else "Active"


class _SecretStrategy:
    """`stringData` is write-only: the real registry folds it into base64 `data` and never stores it."""

    def prepare_create(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        self._fold(obj)

    def prepare_update(self, resource: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._fold(new)

    @staticmethod
    def _fold(obj: dict[str, Any]) -> None:
        plain = obj.pop("stringData", None)
        if isinstance(plain, dict) and plain:
            data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
            obj["data"] = {
                **data,
                **{key: base64.b64encode(str(value).encode()).decode() for key, value in plain.items()},
            }


class _PodStrategy:
    """A created pod starts Pending with a QoS class, as the real registry defaults it; the kubelet does the rest."""

    def prepare_create(self, resource: ResourceType, obj: dict[str, Any]) -> None:
        status = obj.get("status")
        if not isinstance(status, dict) or not status:
            obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj.get("spec") or {})}

    def prepare_update(self, resource: ResourceType, old: dict[str, Any], new: dict[str, Any]) -> None:
        if not new.get("status"):
            new["status"] = old.get("status") or {"phase": "Pending"}


def _qos_class(spec: dict[str, Any]) -> str:
    containers = [*(spec.get("containers") or []), *(spec.get("initContainers") or [])]
    resources = [container.get("resources") or {} for container in containers]
    if not any(item.get("requests") or item.get("limits") for item in resources):
        return "BestEffort"
    guaranteed = all(
        (item.get("limits") or {}).get(name)
        and (item.get("requests") or item.get("limits") or {}).get(name) == (item.get("limits") or {}).get(name)
        for item in resources
        for name in ("cpu", "memory")
    )
    return "Guaranteed" if guaranteed else "Burstable"


@dataclass(frozen=True, slots=True)
class ApiWrite:
    """One write a client made through the API (what the API server's audit log records at RequestResponse
    level, in short): who (after impersonation), the HTTP verb, the path, the answer's status."""

    user: str
    groups: tuple[str, ...]
    verb: str
    path: str
    status: int


class Cluster:
    """Everything a request handler needs; mutate only on the server's event loop once serving."""

    def __init__(
        self,
        *,
        tokens: dict[str, User] | None = None,
        authorizer: Authorizer | None = None,
        history_size: int = 10_000,
    ):
        self.catalogue = Catalogue.builtin()
        self.store = Store(self.catalogue, history_size=history_size)
        self.store.register_strategy("/namespaces", _NamespaceStrategy())
        self.store.register_strategy("/pods", _PodStrategy())
        self.store.register_strategy("/secrets", _SecretStrategy())
        customresources.install(self.store)
        self.tokens: dict[str, User] = dict(tokens or {})
        # Every accepted write a client made over HTTP (not the simulation's own): tests read "0 unintended
        # writes" off it. Bounded like the real audit log's retention.
        self.api_writes: deque[ApiWrite] = deque(maxlen=20_000)
        # RBAC over the store's roles and bindings unless a test supplies its own (auth.allow_all).
        self.authorizer: Authorizer = authorizer or rbac.RbacAuthorizer(self.store)
        # Escalation prevention resolves rules from the RBAC objects whatever the authorizer, as the real one.
        resolver = self.authorizer
        if not isinstance(resolver, rbac.RbacAuthorizer):
            resolver = rbac.RbacAuthorizer(self.store)
        admission = self.store.writes.admission
        escalation = EscalationCheck(self.store, resolver, self.authorize)
        for storage_key in RBAC_STORAGE_KEYS:
            admission.register(storage_key, escalation)
        admission.register("/pods", ServiceAccountAdmission(self.store))
        self.service_accounts = DefaultServiceAccounts(self.store)
        # Bearer tokens that are not static ones go here (an `oidc.OidcVerifier`); None: static tokens only.
        self.token_verifier: TokenVerifier | None = None
        # The private roots of the containers people exec into (removed by `Sandbox` when it stops).
        self.container_roots = ContainerRoots()

    def authorize(self, user: User, attributes: Attributes) -> Decision:
        return self.authorizer(user, attributes)

    def load(self, manifests: Iterable[dict[str, Any]]) -> int:
        """Load seeded manifests straight into the store; returns how many were loaded.

        CRDs must precede their objects and owners what they own: an ownerReference without a uid gets
        its owner's (looked up by apiVersion/kind/name in the object's namespace, or cluster-wide).
        Kinds nothing serves are skipped with a warning rather than failing the whole world.
        """
        with self.service_accounts.paused():
            count = self._load(manifests)
        # A real API server bootstraps these itself; a world need not bring them.
        rbac.install_defaults(self.store)
        self.service_accounts.catch_up()
        return count

    def _load(self, manifests: Iterable[dict[str, Any]]) -> int:
        count = 0
        for manifest in manifests:
            resource = self.catalogue.for_kind(manifest.get("apiVersion", ""), manifest.get("kind", ""))
            if resource is None:
                _log.warning(
                    "sandbox: no resource serves %s %s; skipped %s",
                    manifest.get("apiVersion"),
                    manifest.get("kind"),
                    (manifest.get("metadata") or {}).get("name"),
                )
                continue
            self._resolve_owners(manifest)
            self.store.load(storage_resource(self.catalogue, resource), to_storage(resource, manifest))
            count += 1
        return count

    def _resolve_owners(self, manifest: dict[str, Any]) -> None:
        metadata = manifest.get("metadata") or {}
        for reference in metadata.get("ownerReferences") or ():
            if reference.get("uid"):
                continue
            owner_type = self.catalogue.for_kind(reference.get("apiVersion", ""), reference.get("kind", ""))
            if owner_type is None:
                continue
            namespace = metadata.get("namespace") if owner_type.namespaced else None
            if self.store.exists(owner_type, namespace, reference.get("name", "")):
                owner = self.store.get(owner_type, namespace, reference["name"])
                reference["uid"] = owner["metadata"]["uid"]
