"""Another console process on the same database: a replica, for tests/database/test_replicas.py.

`python tests/database/replica.py <url> <actor>` prints "ready", waits for a line on stdin (so that the test
can start several at the same moment), then opens the database as a console starts (migrations under the
start-up lock), records one audit record as `<actor>` and prints every record it sees as JSON lines.
"""

from __future__ import annotations

import asyncio
import sys


async def _replica(url: str, actor: str) -> None:
    from console.database.runtime import open_database

    database = await open_database(url, install=False)
    try:
        await database.audit_log.record(actor, "scale", "deployments.apps/shop/web", "ok", f"from {actor}")
        for record in await database.audit_log.recent(limit=1000):
            print(record.to_json(), flush=True)
    finally:
        database.close()


def main() -> None:
    url, actor = sys.argv[1], sys.argv[2]
    import console.database.runtime  # noqa: F401  imported before "ready": the replicas then start together

    print("ready", flush=True)
    sys.stdin.readline()
    asyncio.run(_replica(url, actor))


if __name__ == "__main__":
    main()
