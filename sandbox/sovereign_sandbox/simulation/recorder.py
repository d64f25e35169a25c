"""core/v1 Events the way client-go's event recorder writes them: repeats bump `count`, `eventTime: null`."""

from __future__ import annotations

import copy
from collections import OrderedDict
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import Obj, now_rfc3339

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["Recorder"]

# Events the simulation keeps at most (the oldest are deleted, as the real server's one-hour TTL would).
MAX_EVENTS = 5_000
_CONTAINER_REASONS = {"BackOff", "Pulling", "Pulled", "Created", "Started", "Killing", "Failed"}


class Recorder:
    def __init__(self, engine: Engine):
        self.engine = engine
        # (namespace, involved uid, reason, message) → event name, oldest first
        self._recent: OrderedDict[tuple[str, str, str, str], str] = OrderedDict()

    def record(
        self,
        involved: Obj,
        reason: str,
        message: str,
        *,
        component: str,
        warning: bool = False,
        host: str = "",
    ) -> None:
        engine = self.engine
        metadata = involved["metadata"]
        namespace = metadata.get("namespace") or "default"
        key = (namespace, metadata.get("uid", ""), reason, message)
        now = now_rfc3339()
        name = self._recent.get(key)
        if name is not None:
            existing = engine.writer.get(engine.kinds.event, namespace, name)
            if existing is not None:
                updated = copy.deepcopy(existing)
                updated["count"] = existing.get("count", 1) + 1
                updated["lastTimestamp"] = now
                engine.writer.replace(engine.kinds.event, updated)
                self._recent.move_to_end(key)
                return
        name = f"{metadata['name']}.{engine.random.getrandbits(64):016x}"[:253]
        involved_object: Obj = {
            "kind": involved["kind"],
            "namespace": namespace,
            "name": metadata["name"],
            "uid": metadata.get("uid", ""),
            "apiVersion": involved["apiVersion"],
            "resourceVersion": metadata.get("resourceVersion", ""),
        }
        if involved["kind"] == "Pod" and reason in _CONTAINER_REASONS:
            involved_object["fieldPath"] = f"spec.containers{{{involved['spec']['containers'][0]['name']}}}"
        source = {"component": component, **({"host": host} if host else {})}
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved_object,
            "reason": reason,
            "message": message,
            "source": source,
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": "Warning" if warning else "Normal",
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        if engine.writer.create(engine.kinds.event, event) is None:
            return
        self._recent[key] = name
        while len(self._recent) > MAX_EVENTS:
            (old_namespace, *_), old_name = self._recent.popitem(last=False)
            old = engine.writer.get(engine.kinds.event, old_namespace, old_name)
            if old is not None:
                engine.writer.delete(engine.kinds.event, old)
