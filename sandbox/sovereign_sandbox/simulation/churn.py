"""Background churn for benchmarks: `rate` realistic changes a second (container restarts, label changes,
scaling of `load-*` Deployments), chosen by a generator seeded from the sandbox seed."""

from __future__ import annotations

import copy
import random
from typing import TYPE_CHECKING

from sovereign_sandbox.simulation.base import now_rfc3339

if TYPE_CHECKING:
    from sovereign_sandbox.simulation.engine import Engine

__all__ = ["Churn"]

_TICK = 0.01  # seconds between bursts


class Churn:
    def __init__(self, engine: Engine, rate: float):
        self.engine = engine
        self.rate = rate
        self.random = random.Random(engine.seed * 7919 + 1)
        self.changes = 0  # writes made so far (each one watch event on pods or deployments)
        self._credit = 0.0
        self._pods: list[tuple[str, str]] = []
        self._deployments: list[tuple[str, str]] = []
        self._last = 0.0
        self._running = False

    def start(self) -> None:
        if self.rate <= 0 or self.engine.loop is None or self._running:
            return
        self._running = True
        self._last = self.engine.loop.time()
        self.engine.call_later(_TICK, self._tick)

    def set_rate(self, rate: float) -> None:
        """Change the rate while serving (call on the server loop); 0 pauses."""
        self.rate = rate
        self._credit = 0.0
        self.start()

    def _refresh(self) -> None:
        engine = self.engine
        self._pods = sorted(
            key for namespace, keys in engine.pods_by_namespace.items() if namespace.startswith("load-") for key in keys
        ) or sorted(key for keys in engine.pods_by_namespace.values() for key in keys)
        self._deployments = sorted(
            (item["metadata"]["namespace"], item["metadata"]["name"])
            for item in engine.store.list(engine.kinds.deployment).items
            if item["metadata"]["name"].startswith("load-")
        )

    def _tick(self) -> None:
        engine = self.engine
        if engine.loop is None or self.rate <= 0:
            self._running = False
            return
        now = engine.loop.time()
        self._credit += (now - self._last) * self.rate
        self._last = now
        if not self._pods or self.random.random() < 0.01:
            self._refresh()
        while self._credit >= 1:
            self._credit -= 1
            self._change()
        engine.call_later(_TICK, self._tick)

    def _change(self) -> None:
        engine = self.engine
        roll = self.random.random()
        if roll < 0.002 and self._deployments:
            namespace, name = self.random.choice(self._deployments)
            deployment = engine.writer.get(engine.kinds.deployment, namespace, name)
            if deployment is not None:
                replicas = deployment["spec"].get("replicas", 1)
                replicas = max(1, replicas + (1 if replicas < 10 or self.random.random() < 0.5 else -1))
                engine.writer.merge(engine.kinds.deployment, deployment, {"spec": {"replicas": replicas}})
                self.changes += 1
            return
        if not self._pods:
            return
        namespace, name = self.random.choice(self._pods)
        pod = engine.writer.get(engine.kinds.pod, namespace, name)
        if pod is None or not pod.get("status", {}).get("containerStatuses"):
            return
        if roll < 0.5:
            status = copy.deepcopy(pod["status"])
            container = status["containerStatuses"][0]
            if "running" not in (container.get("state") or {}):
                return
            now = now_rfc3339()
            container["lastState"] = {
                "terminated": {
                    "exitCode": 137,
                    "reason": "OOMKilled",
                    "startedAt": container["state"]["running"].get("startedAt", now),
                    "finishedAt": now,
                }
            }
            container["restartCount"] = container.get("restartCount", 0) + 1
            container["state"] = {"running": {"startedAt": now}}
            if engine.writer.set_status(engine.kinds.pod, pod, status) is not None:
                self.changes += 1
        else:
            value = str(self.random.randrange(1_000_000))
            if engine.writer.merge(
                engine.kinds.pod, pod, {"metadata": {"labels": {"sandbox.openova.io/churn": value}}}
            ):
                self.changes += 1
