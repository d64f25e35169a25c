"""The app's lifespan opens the console database before serving and installs the process's audit log on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.audit import AuditLogUnavailable, audit_log
from console.compliance.history import HistoryRecorder
from console.compliance.model import Tally
from console.database.runtime import DatabaseUnavailable, current, database_lifespan, history_store, open_database


async def test_the_lifespan_opens_the_database_and_installs_the_audit_log(state_dir: Path):
    with pytest.raises(DatabaseUnavailable, match="lifespan opens it"):
        current()

    async with database_lifespan():
        await audit_log().record("oidc:alice", "scale", "deployments.apps/shop/web", "ok", "replicas=2")
        recorder = HistoryRecorder(history_store())
        await recorder.sample({("sovereign", ""): Tally(9, 10)}, at=1000.0, force=True)

        assert current().url == f"sqlite:///{state_dir}/console.db"
        assert [record.detail for record in await audit_log().recent()] == ["replicas=2"]
        assert [point.total for point in await recorder.trend("sovereign", "", 0, 2000)] == [90]

    with pytest.raises(AuditLogUnavailable):
        audit_log()
    with pytest.raises(DatabaseUnavailable):
        history_store()
    assert (state_dir / "console.db").is_file()


async def test_a_database_that_cannot_be_reached_stops_the_start_without_showing_the_password(tmp_path: Path):
    url = f"postgresql+psycopg://console:s3cret@/console?host={tmp_path}&connect_timeout=2"  # no server there

    with pytest.raises(RuntimeError, match="cannot open the console database") as refused:
        await open_database(url)

    assert "s3cret" not in str(refused.value)
    with pytest.raises(AuditLogUnavailable):
        audit_log()


async def test_one_process_opens_one_database(tmp_path: Path):
    first = await open_database(f"sqlite:///{tmp_path}/one.db")
    try:
        with pytest.raises(RuntimeError, match="already open"):
            await open_database(f"sqlite:///{tmp_path}/two.db")
        assert audit_log() is first.audit_log
    finally:
        first.close()
