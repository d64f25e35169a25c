"""The private roots of the containers people exec into: one per container instance, like its writable layer.

A root is made at the first exec into a running container, kept for the next ones, replaced when the container
restarts (a new instance starts from its image again) and removed, with all the others, when the sandbox stops.
"""

from __future__ import annotations

import atexit
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sovereign_sandbox.node.isolation import ContainerRoot

if TYPE_CHECKING:  # node.containers imports the cluster, which holds these roots
    from sovereign_sandbox.node.containers import ContainerRef

__all__ = ["ContainerRoots"]


class ContainerRoots:
    """Roots by container, each with the instance it belongs to."""

    def __init__(self, parent: Path | None = None):
        self.parent = parent  # where roots are made (the system's temp folder by default)
        self._roots: dict[tuple[str, str], tuple[tuple[object, ...], ContainerRoot]] = {}
        self._lock = threading.Lock()
        atexit.register(self.close)  # a sandbox that is never stopped leaves nothing behind either

    def for_container(self, container: ContainerRef) -> ContainerRoot:
        """The root of `container`'s current instance, made on first use."""
        metadata = container.pod["metadata"]
        key = (str(metadata.get("uid") or f"{metadata.get('namespace')}/{metadata['name']}"), container.name)
        running = (container.status.get("state") or {}).get("running") or {}
        instance = (container.status.get("restartCount") or 0, running.get("startedAt"))
        with self._lock:
            known = self._roots.get(key)
            if known is not None and known[0] == instance:
                return known[1]
            if known is not None:
                known[1].remove()  # the container restarted: its old writable layer is gone
            root = ContainerRoot.create(f"{container.pod_name}-{container.name}", self.parent)
            self._roots[key] = (instance, root)
            return root

    def close(self) -> None:
        """Remove every root (the sandbox stops)."""
        with self._lock:
            roots, self._roots = list(self._roots.values()), {}
        for _, root in roots:
            root.remove()
