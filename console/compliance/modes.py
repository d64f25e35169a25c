"""Switching a policy between permissive and enforcing in an EnvironmentPolicy (`spec.compliance.modes`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from console.compliance.weights import MODES
from console.kube.api import JsonObject, KubeApi, ResourcePath

__all__ = ["ENVIRONMENT_POLICIES", "MERGE_PATCH", "describe_mode_change", "mode_patch", "set_mode"]

ENVIRONMENT_POLICIES = ResourcePath("catalyst.openova.io", "v1alpha1", "environmentpolicies")
MERGE_PATCH = "application/merge-patch+json"


def mode_patch(policy: str, mode: str) -> dict[str, Any]:
    """The JSON merge patch setting one policy's mode (other policies' modes stay as they are).

    Raises:
        ValueError: an empty policy name, or a mode other than permissive/enforcing.
    """
    if mode not in MODES:
        raise ValueError(f"a mode is permissive or enforcing, not {mode!r}")
    if not policy:
        raise ValueError("a policy name is required")
    return {"spec": {"compliance": {"modes": {policy: mode}}}}


def describe_mode_change(
    environment_policy: str, policy: str, old: str, new: str, environments_sharing: Sequence[str]
) -> str:
    """The one-line change the confirm dialog shows, naming every environment it also changes."""
    change = f"environmentpolicy/{environment_policy}: spec.compliance.modes.{policy}: {old or 'permissive'} → {new}"
    if len(environments_sharing) > 1:
        change += f" (applies to {len(environments_sharing)} environments: {', '.join(environments_sharing)})"
    elif environments_sharing:
        change += f" (applies to {environments_sharing[0]})"
    return change


async def set_mode(api: KubeApi, environment_policy: str, policy: str, mode: str) -> JsonObject:
    """PATCH the EnvironmentPolicy as whoever `api` acts for; returns the patched object.

    Raises:
        ValueError: the mode or a name is not valid (checked before any request).
        KubeApiError: the API server's answer (403 when the person may not patch it, 404 when it is gone).
    """
    body = mode_patch(policy, mode)
    if not environment_policy:
        raise ValueError("an EnvironmentPolicy name is required")
    path = f"{ENVIRONMENT_POLICIES.collection()}/{quote(environment_policy, safe='')}"
    return await api.patch(path, body, MERGE_PATCH)
