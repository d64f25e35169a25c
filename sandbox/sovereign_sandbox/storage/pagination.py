"""List chunking: continue tokens and the snapshots that keep every page of one list consistent."""

from __future__ import annotations

import base64
import itertools
import json
from collections import OrderedDict
from typing import Any

from sovereign_sandbox import errors

__all__ = ["EXPIRED_CONTINUE", "Snapshots", "decode_continue", "encode_continue"]

EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter."
)


class Snapshots:
    """The sorted object lists of the most recent chunked lists (references only: objects are immutable)."""

    def __init__(self, capacity: int = 64):
        self._snapshots: OrderedDict[int, list[dict[str, Any]]] = OrderedDict()
        self._ids = itertools.count(1)
        self._capacity = capacity

    def keep(self, objects: list[dict[str, Any]]) -> int:
        snapshot_id = next(self._ids)
        self._snapshots[snapshot_id] = objects
        while len(self._snapshots) > self._capacity:
            self._snapshots.popitem(last=False)
        return snapshot_id

    def get(self, snapshot_id: int) -> list[dict[str, Any]]:
        """Raises: ApiError 410 Expired when the snapshot is gone (the real server: compacted etcd)."""
        snapshot = self._snapshots.get(snapshot_id)
        if snapshot is None:
            raise errors.expired(EXPIRED_CONTINUE)
        return snapshot

    def clear(self) -> None:
        self._snapshots.clear()


def encode_continue(snapshot_id: int, resource_version: int, position: int) -> str:
    token = {"v": "meta.k8s.io/v1", "rv": resource_version, "start": position, "snapshot": snapshot_id}
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, int, int]:
    """(snapshot id, list resourceVersion, start position) of a continue token."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["snapshot"]), int(data["rv"]), int(data["start"])
    except (ValueError, KeyError, TypeError):
        raise errors.bad_request(
            "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
        ) from None
