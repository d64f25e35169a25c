"""Admission: the checks and defaults the API server applies to a write before it is validated and stored.

A real kube-apiserver runs its admission plugins (ServiceAccount, …) and the RBAC registry's escalation
check on every create and update, whoever sends it: people through the API and controllers alike. Here
plugins are registered per storage key and `Writes` runs them on every create and update except seed loads
(a seeded world is the state the cluster starts in, as if admitted long ago).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sovereign_sandbox import errors
from sovereign_sandbox.storage.resources import ResourceType

if TYPE_CHECKING:
    from sovereign_sandbox.auth.authentication import User

__all__ = ["Admission", "AdmissionPlugin", "AdmissionRequest", "CREATE", "UPDATE", "forbidden"]

CREATE = "CREATE"
UPDATE = "UPDATE"


@dataclass(frozen=True, slots=True)
class AdmissionRequest:
    """One write as admission sees it; mutating plugins change `obj` in place."""

    operation: str  # CREATE or UPDATE
    resource: ResourceType
    # The object's name as the request gives it: a create with only generateName is named by that prefix,
    # since names are generated after admission (apiserver's `extractResourceName`).
    name: str
    namespace: str
    obj: dict[str, Any]
    old: dict[str, Any] | None
    # Who asks: the authenticated user of an API request; None for the server's own writes (controllers).
    user: User | None
    dry_run: bool
    subresource: str = ""


AdmissionPlugin = Callable[[AdmissionRequest], None]


class Admission:
    """The plugins of each storage key, run in the order they were registered; any may raise an ApiError."""

    def __init__(self) -> None:
        self._plugins: dict[str, list[AdmissionPlugin]] = {}

    def register(self, storage_key: str, plugin: AdmissionPlugin) -> None:
        self._plugins.setdefault(storage_key, []).append(plugin)

    def admit(self, request: AdmissionRequest) -> None:
        for plugin in self._plugins.get(request.resource.storage_key, ()):
            plugin(request)


def forbidden(request: AdmissionRequest, reason: str) -> errors.ApiError:
    """403 for a refused write, worded as apimachinery's `NewForbidden(resource, name, err)`."""
    resource = request.resource
    subject = errors.qualified(resource.plural, resource.group)
    named = f'{subject} "{request.name}"' if request.name else subject
    message = f"{named} is forbidden: {reason}"
    return errors.forbidden(message, resource.plural, resource.group, request.name)
