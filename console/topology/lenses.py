"""The graph's lenses as data: which node shapes (categories) and API families each one lets through.

A lens hides a node type when NOT (its shape is allowed AND its family is allowed); the per-type chips then
hide more (spec/cloud.md §4, seed facts (e)). Decisions beyond the seed:

- `networking` allows the network shape only, like `data` and `security` allow one shape each: group boxes
  come from the nodes' namespace (or node, application) fields, never from Namespace nodes, so a lens needs
  no scope shape to keep its nodes grouped.
- `cloud` is the infrastructure and what runs on it: scope, compute and network shapes of the `cloud` family
  (cloud-provider resources) and of core Kubernetes (the cluster, Namespaces, Nodes, workloads, Services,
  Ingresses). Nodes are core API objects, so a `cloud`-only lens would draw nothing on most clusters; the
  add-on families (Cilium policies, Flux, Catalyst…) have their own lenses.
- Family lenses allow every shape of their one family.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from console.kube.kinds import Shape
from console.topology.model import Family

__all__ = ["ALL_SHAPES", "LENSES", "Lens", "lens_for"]

ALL_SHAPES: frozenset[Shape] = frozenset(get_args(Shape))


@dataclass(frozen=True, slots=True)
class Lens:
    """One entry of the lens menu (`?lens=<id>`)."""

    id: str  # the URL's `lens=` value
    title: str  # the menu's label
    shapes: frozenset[Shape]  # the node categories it lets through
    families: frozenset[Family] | None = None  # the API families it lets through (None: every family)

    def hides(self, shape: Shape, family: Family) -> bool:
        """True when nodes of this shape and family are hidden under the lens, whatever their chip says."""
        return shape not in self.shapes or (self.families is not None and family not in self.families)


def _family_lens(family: Family, title: str) -> Lens:
    return Lens(family, title, ALL_SHAPES, frozenset({family}))


LENSES: tuple[Lens, ...] = (  # in menu order: all, the domain lenses (UAT 192's order), the family lenses
    Lens("all", "All", ALL_SHAPES),
    Lens("reconciliation", "Reconciliation", frozenset({"control"})),
    Lens("cloud", "Cloud", frozenset({"scope", "compute", "network"}), frozenset({"cloud", "core"})),
    Lens("runtime", "Runtime", frozenset({"compute", "scope"})),
    Lens("networking", "Networking", frozenset({"network"})),
    Lens("data", "Data", frozenset({"data"})),
    Lens("security", "Security", frozenset({"config"})),
    _family_lens("flux", "Flux"),
    _family_lens("crossplane", "Crossplane"),
    _family_lens("cert-manager", "cert-manager"),
    _family_lens("cnpg", "CloudNativePG"),
    _family_lens("external-secrets", "External Secrets"),
    _family_lens("cilium", "Cilium"),
    _family_lens("catalyst", "Catalyst CRs"),
)

_BY_ID = {lens.id: lens for lens in LENSES}
# the previous console's `?lens=` spellings, so its bookmarks keep working
_ALIASES = {"certManager": "cert-manager", "externalSecrets": "external-secrets"}


def lens_for(lens_id: str) -> Lens:
    """The lens with this id (or an old alias of it).

    Raises:
        ValueError: no lens has this id; the message lists the ones there are.
    """
    lens = _BY_ID.get(_ALIASES.get(lens_id, lens_id))
    if lens is None:
        known = ", ".join(lens.id for lens in LENSES)
        raise ValueError(f"unknown lens {lens_id!r} (lenses: {known})")
    return lens
