"""The simulation that makes the sandbox a living cluster: controllers on the server's event loop.

Every controller reads and writes through the store (so watches, resourceVersions and generations behave
as for API writes), is level-triggered from the store's change feed, and is deterministic for a seed.
"""

from __future__ import annotations

import asyncio

from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.simulation.churn import Churn
from sovereign_sandbox.simulation.deployments import DeploymentController
from sovereign_sandbox.simulation.endpoints import EndpointSliceController
from sovereign_sandbox.simulation.engine import Engine
from sovereign_sandbox.simulation.flux import FluxController
from sovereign_sandbox.simulation.kubelet import TIMINGS, Kubelet
from sovereign_sandbox.simulation.policy import PolicyEngine
from sovereign_sandbox.simulation.sets import SetController

__all__ = ["Simulation", "TIMINGS"]


class Simulation:
    """Create after the world is loaded; `start()` and `stop()` on the server's event loop."""

    def __init__(self, cluster: Cluster, *, seed: int = 1, churn: float = 0.0):
        self.engine = Engine(cluster, seed)
        self.engine.index_existing()
        self.deployments = DeploymentController(self.engine)
        self.sets = SetController(self.engine)
        self.kubelet = Kubelet(self.engine)
        self.endpoints = EndpointSliceController(self.engine)
        self.policy = PolicyEngine(self.engine)
        self.flux = FluxController(self.engine)
        self.churn = Churn(self.engine, churn)

    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self.engine.start(loop or asyncio.get_running_loop())
        self.kubelet.start()
        self.endpoints.start()
        self.policy.start()
        self.churn.start()

    def stop(self) -> None:
        self.engine.stop()
