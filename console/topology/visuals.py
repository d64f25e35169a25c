"""A node's BORDER (API family, from its group) and FILL (status, from its list row's tone and STATUS text).

Only the vocabulary is decided here; the colours live in the front-end, next to the canvas that draws them.
"""

from __future__ import annotations

from console.kube.kinds import Row, Tone
from console.topology.model import Family, Status

__all__ = ["family_of", "status_of"]

# API group suffix → family; the first suffix a group ends with wins. Anything else is core Kubernetes
# (the core group "", apps, networking.k8s.io, policy, storage.k8s.io, gateway.networking.k8s.io …).
_FAMILY_BY_GROUP_SUFFIX: tuple[tuple[str, Family], ...] = (
    ("fluxcd.io", "flux"),
    ("crossplane.io", "crossplane"),
    ("cert-manager.io", "cert-manager"),
    ("cnpg.io", "cnpg"),
    ("external-secrets.io", "external-secrets"),
    ("cilium.io", "cilium"),
    ("openova.io", "catalyst"),
)

_STATUS_BY_TONE: dict[Tone, Status] = {
    "ok": "healthy",
    "err": "failed",
    "muted": "unknown",
    "info": "reconciling",
}
# Words of a STATUS that say the object is on its way somewhere (amber then means "reconciling", not drift).
_IN_PROGRESS_WORDS = ("pending", "creating", "progress", "reconcil", "init", "terminat", "updating", "scaling")


def family_of(group: str) -> Family:
    """The API family of a group: `helm.toolkit.fluxcd.io` → flux, `apps.openova.io` → catalyst, `apps` → core."""
    for suffix, family in _FAMILY_BY_GROUP_SUFFIX:
        if group == suffix or group.endswith("." + suffix):
            return family
    return "core"


def status_of(row: Row) -> Status:
    """A node's status from its list row: the tone decides, and amber (warn) splits by the STATUS text into
    reconciling (still getting there: Pending, ContainerCreating, Progressing …) and drifted (e.g. `2/3`)."""
    status = _STATUS_BY_TONE.get(row.tone)
    if status is not None:
        return status
    text = row.cells.get("status", "").lower()
    return "reconciling" if any(word in text for word in _IN_PROGRESS_WORDS) else "drifted"
