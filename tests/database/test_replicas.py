"""Several console replicas share one database: they start (migrate) at the same moment without error,
and each sees the audit records of the others. Replicas here are real processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from console.database.migrations import current_revision, head_revision
from console.database.runtime import open_database

ROOT = Path(__file__).resolve().parents[2]
REPLICA = Path(__file__).with_name("replica.py")


def _start_replicas(url: str, actors: list[str]) -> list[subprocess.Popen[str]]:
    """Start one process per actor, wait until each is imported, then let them all go at once."""
    replicas = [
        subprocess.Popen(
            [sys.executable, str(REPLICA), url, actor],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for actor in actors
    ]
    for replica in replicas:
        assert replica.stdout is not None and replica.stdout.readline().strip() == "ready"
    for replica in replicas:
        assert replica.stdin is not None
        replica.stdin.write("go\n")
        replica.stdin.flush()
    return replicas


def _seen(replica: subprocess.Popen[str]) -> list[dict[str, str]]:
    output, errors = replica.communicate(timeout=120)
    assert replica.returncode == 0, errors
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.parametrize("replicas", [2, 3])
def test_replicas_starting_together_migrate_once_without_error(database_url: str, replicas: int):
    actors = [f"oidc:replica-{number}" for number in range(replicas)]

    seen = [_seen(replica) for replica in _start_replicas(database_url, actors)]

    # every replica started (its migration ran or found the schema at head) and wrote; the last to write saw all
    assert max(len(records) for records in seen) == replicas
    assert all({record["actor"] for record in records} <= set(actors) for records in seen)


async def test_each_replica_sees_the_others_records(database_url: str):
    here = await open_database(database_url, install=False)
    try:
        assert current_revision(here.engine) == head_revision()
        await here.audit_log.record("oidc:alice", "restart", "deployments.apps/shop/web", "ok")

        [other] = _start_replicas(database_url, ["oidc:bob"])
        seen_there = _seen(other)

        assert [(record["actor"], record["action"]) for record in seen_there] == [
            ("oidc:bob", "scale"),
            ("oidc:alice", "restart"),
        ]
        seen_here = await here.audit_log.recent()
        assert [(record.actor, record.detail) for record in seen_here] == [
            ("oidc:bob", "from oidc:bob"),
            ("oidc:alice", ""),
        ]
    finally:
        here.close()
