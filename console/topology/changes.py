"""What moved in a graph between two revisions: node and edge ids added, changed and removed.

The log remembers, per revision, each id touched and whether it existed before; the net change since a
revision follows from the first record of each id after it and whether the id exists now. It is bounded:
a reader further behind than the log reaches gets None and recomputes whatever it derived.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

__all__ = ["ChangeLog", "GraphChanges"]

LOG_LENGTH = 262_144  # id records kept; a full derivation of 50,000 pods touches about 10 per pod


@dataclass(frozen=True, slots=True)
class GraphChanges:
    """The net change between two revisions (an id added then removed in between is not listed)."""

    nodes_added: frozenset[str]
    nodes_changed: frozenset[str]  # existed before and after, its GraphNode differs (status, labels …)
    nodes_removed: frozenset[str]
    edges_added: frozenset[str]
    edges_removed: frozenset[str]  # edges never change in place: an edge id says all there is to an edge

    def __bool__(self) -> bool:
        return bool(
            self.nodes_added or self.nodes_changed or self.nodes_removed or self.edges_added or self.edges_removed
        )


class _Record(NamedTuple):
    revision: int  # the revision the change belongs to
    id: str
    edge: bool  # an edge id (else a node id)
    existed: bool  # the id existed just before this change


class ChangeLog:
    """Records of node and edge changes, bounded; `since` answers GraphChanges (see the module doc)."""

    def __init__(self, length: int = LOG_LENGTH) -> None:
        self._records: deque[_Record] = deque(maxlen=length)
        self._floor = 0  # changes_since(r) is answerable for r >= floor

    def record(self, revision: int, id_: str, *, edge: bool, existed: bool) -> None:
        if len(self._records) == self._records.maxlen:
            self._floor = max(self._floor, self._records[0].revision)
        self._records.append(_Record(revision, id_, edge, existed))

    def restart(self, revision: int) -> None:
        """Forget everything: nothing before `revision` can be answered (a full rebuild)."""
        self._records.clear()
        self._floor = revision

    def since(
        self, revision: int, current: int, node_exists: Callable[[str], bool], edge_exists: Callable[[str], bool]
    ) -> GraphChanges | None:
        """The net changes after `revision` up to `current`; None when the log no longer reaches back."""
        if revision < self._floor or revision > current:
            return None
        first: dict[tuple[str, bool], bool] = {}  # (id, edge) → existed before its first change after `revision`
        for record in reversed(self._records):
            if record.revision <= revision:
                break
            first[(record.id, record.edge)] = record.existed
        added: tuple[set[str], set[str]] = (set(), set())
        changed: set[str] = set()
        removed: tuple[set[str], set[str]] = (set(), set())
        for (id_, edge), existed in first.items():
            exists = edge_exists(id_) if edge else node_exists(id_)
            if exists and not existed:
                added[edge].add(id_)
            elif existed and not exists:
                removed[edge].add(id_)
            elif exists and not edge:
                changed.add(id_)
        return GraphChanges(
            nodes_added=frozenset(added[False]),
            nodes_changed=frozenset(changed),
            nodes_removed=frozenset(removed[False]),
            edges_added=frozenset(added[True]),
            edges_removed=frozenset(removed[True]),
        )
