"""The kind chips and the "+ More" menu as data: every non-primary kind under a heading, searchable.

With every served resource listed the menu holds some seventy kinds: headings group them by what they
are about, and a search box narrows them by title, id or API group.
"""

from __future__ import annotations

from collections.abc import Iterable

from console.kube.kinds import Kind

SECTION_TITLES = {
    "compute": "Compute",
    "workload": "Workloads",
    "network": "Network",
    "storage": "Storage",
    "config": "Configuration",
    "access": "Access control",
    "reconciler": "Reconcilers",
    "cluster": "Cluster",
}
_SECTION_ORDER = [*SECTION_TITLES.values(), "Custom resources"]


def chip(kind: Kind, count: int | None) -> dict[str, str]:
    """One chip or menu entry; `search` is what the menu's search box matches against (lower case)."""
    group = kind.resource.group if kind.resource is not None else ""
    return {
        "id": kind.id,
        "title": kind.title,
        "category": kind.category,
        "count": "" if count is None else str(count),
        "section": kind.section or SECTION_TITLES.get(kind.category, "Other"),
        "search": " ".join((kind.title, kind.id, group, *kind.short_names)).lower(),
    }


def _section_rank(section: str) -> int:
    return _SECTION_ORDER.index(section) if section in _SECTION_ORDER else len(_SECTION_ORDER)


def more_entries(kinds: Iterable[Kind]) -> list[dict[str, str]]:
    """The More menu's entries, by section then title."""
    entries = [chip(kind, None) for kind in kinds if not kind.primary]
    return sorted(entries, key=lambda entry: (_section_rank(entry["section"]), entry["title"].lower()))


def matching(entries: list[dict[str, str]], search: str) -> list[dict[str, str]]:
    """The entries whose title, id, group or short names contain every word of `search`, each marked
    `heading` = its section when it is the first shown of that section (the menu draws the heading there)."""
    words = search.lower().split()
    shown = [entry for entry in entries if all(word in entry["search"] for word in words)]
    marked, previous = [], None
    for entry in shown:
        marked.append({**entry, "heading": entry["section"] if entry["section"] != previous else ""})
        previous = entry["section"]
    return marked
