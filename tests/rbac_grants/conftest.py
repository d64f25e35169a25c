"""Fixtures: the owner and a viewer as the console acts for them, and the console's audit log on a fresh database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from grant_helpers import Acting, person

from console.audit.log import AuditLog
from console.database.runtime import open_database
from console.kube.api import KubeApi


@pytest.fixture
def owner(kube_api: KubeApi) -> Acting:
    return person(kube_api, "owner", "owner", ["/tiers/owner", "/sovereign-admins"])


@pytest.fixture
def viewer(kube_api: KubeApi) -> Acting:
    return person(kube_api, "viewer", "viewer", ["/tiers/viewer"])


@pytest.fixture
async def audit(tmp_path: Path) -> AsyncIterator[AuditLog]:
    database = await open_database(f"sqlite:///{tmp_path}/console.db", install=False)
    yield database.audit_log
    database.close()
