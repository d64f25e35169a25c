"""Fixtures of the grant reconciler's tests: a leader-elected reconciler running on the module's sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from reconciler_harness import Running, reconciling

from console.kube.api import KubeApi


@pytest.fixture
async def running(kube_api: KubeApi) -> AsyncIterator[Running]:
    """A reconciler that leads and has made its first pass over every grant."""
    async with reconciling(kube_api) as started:
        yield started
