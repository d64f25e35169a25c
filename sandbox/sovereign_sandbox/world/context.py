"""Shared state and small helpers for building the seeded world: randomness, clock, names, addresses.

Everything random comes from one `random.Random(seed)`, drawn in a fixed order, so a seed always gives
the same world. The only outside input is `now`, the anchor creation timestamps count back from.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

__all__ = [
    "DAY",
    "DOMAIN",
    "HOUR",
    "MINUTE",
    "Node",
    "WorldContext",
    "anchor",
    "encode",
    "owner_reference",
]

DOMAIN = "omantel.openova.cloud"
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Kubernetes' rand.String alphabet (no vowels, no confusable digits): used for pod and hash suffixes.
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_HEX = "0123456789abcdef"


@dataclass
class Node:
    """What workload builders need to know about a node to place pods on it."""

    name: str
    index: int  # position in the node list; also picks the node's pod CIDR
    internal_ip: str
    region: str
    control_plane: bool
    pool: str
    next_pod_host: int = 10  # first octet handed out in the node's /24; low ones are for the node itself
    pod_count: int = 0


@dataclass
class WorldContext:
    """The growing world plus the deterministic sources every builder draws from."""

    rng: random.Random
    now: datetime
    seed: int = 0
    objects: list[dict] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    # Pods per namespace, for EndpointSlices and Events that must point at real pods.
    pods_by_namespace: dict[str, list[dict]] = field(default_factory=dict)
    namespaces: dict[str, dict] = field(default_factory=dict)
    image_digests: dict[str, str] = field(default_factory=dict)  # one digest per image, as a registry has
    _service_host: int = 20
    _worker_cursor: int = 0
    _timestamp_cache: dict[int, str] = field(default_factory=dict)
    _candidates: dict[tuple[str | None, int], list[Node]] = field(default_factory=dict)  # schedulable nodes by pool

    def add(self, manifest: dict) -> dict:
        self.objects.append(manifest)
        if manifest["kind"] == "Pod":
            self.pods_by_namespace.setdefault(manifest["metadata"]["namespace"], []).append(manifest)
        elif manifest["kind"] == "Namespace":
            self.namespaces[manifest["metadata"]["name"]] = manifest
        return manifest

    @contextmanager
    def separate_draws(self, purpose: str) -> Iterator[None]:
        """Draw from a generator of its own while adding `purpose`'s objects, so adding them leaves every
        other object's details (suffixes, addresses, ages) as they were for the same seed."""
        shared = self.rng
        self.rng = random.Random(f"{self.seed}/{purpose}")
        try:
            yield
        finally:
            self.rng = shared

    def timestamp(self, seconds_ago: float) -> str:
        """An RFC 3339 time `seconds_ago` before now; negative values give future times (expiry dates)."""
        seconds = int(seconds_ago)
        cached = self._timestamp_cache.get(seconds)
        if cached is None:
            cached = (self.now - timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._timestamp_cache[seconds] = cached
        return cached

    def between(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def suffix(self, length: int = 5) -> str:
        """A suffix like the ones ReplicaSet and pod names get (`rand.String`)."""
        choice = self.rng.choice
        return "".join(choice(_SAFE_ALPHABET) for _ in range(length))

    def hex(self, length: int) -> str:
        return "".join(self.rng.choice(_HEX) for _ in range(length))

    def secret_value(self, length: int = 24) -> str:
        """Base64 of a random printable token, as Secret `data` values are."""
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        token = "".join(self.rng.choice(alphabet) for _ in range(length))
        return encode(token)

    def service_ip(self) -> str:
        self._service_host += self.rng.randint(1, 37)
        return f"10.96.{self._service_host // 250}.{self._service_host % 250 + 2}"

    def workers(self) -> list[Node]:
        return [node for node in self.nodes if not node.control_plane]

    def pick_worker(self, pool: str | None = None) -> Node:
        """Round-robin over workers (of a pool), like a scheduler spreading replicas."""
        key = (pool, len(self.nodes))
        candidates = self._candidates.get(key)
        if candidates is None:
            candidates = [node for node in self.nodes if not node.control_plane and (pool is None or node.pool == pool)]
            self._candidates[key] = candidates
        node = candidates[self._worker_cursor % len(candidates)]
        self._worker_cursor += 1 + (self.rng.random() < 0.3)
        return node

    def pod_ip(self, node: Node) -> str:
        # Each node owns a /24 of the 10.42.0.0/15 pod range; Cilium hands addresses out in order.
        node.pod_count += 1
        host = node.next_pod_host
        node.next_pod_host = 10 + (host - 9) % 240
        return f"10.{42 + node.index // 256}.{node.index % 256}.{host}"


def encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def owner_reference(api_version: str, kind: str, name: str, controller: bool = True) -> dict:
    """An ownerReference without `uid`: the store fills it in from the owner's name when it loads the world."""
    reference = {"apiVersion": api_version, "kind": kind, "name": name}
    if controller:
        reference["controller"] = True
        reference["blockOwnerDeletion"] = True
    return reference


def anchor(now: datetime | None) -> datetime:
    """`now` truncated to whole seconds, in UTC."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)
