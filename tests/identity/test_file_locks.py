"""The cross-process lock of the SQLite session store: another holder makes us wait, time out, or give up cleanly.

`flock` locks belong to an open file, so a second descriptor of the lock file held here stands for another
process holding it.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

import pytest

from console.identity.file_locks import FileLocks


def _held_elsewhere(locks: FileLocks, key: str) -> int:
    descriptor = os.open(locks.path_for(key), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return descriptor


def _release(descriptor: int) -> None:
    fcntl.flock(descriptor, fcntl.LOCK_UN)
    os.close(descriptor)


async def test_a_lock_held_by_another_process_is_waited_for(tmp_path: Path):
    locks = FileLocks(tmp_path / "locks")
    other = _held_elsewhere(locks, "session-a")
    entered = asyncio.Event()

    async def refresh() -> None:
        async with locks.hold("session-a"):
            entered.set()

    waiting = asyncio.create_task(refresh())
    done, _ = await asyncio.wait([waiting], timeout=0.2)
    assert not done and not entered.is_set()  # still waiting while the other holder has it
    _release(other)
    async with asyncio.timeout(5):
        await waiting
    assert entered.is_set()


async def test_waiting_too_long_is_an_error_and_takes_nothing(tmp_path: Path):
    locks = FileLocks(tmp_path / "locks", timeout_seconds=0.1)
    other = _held_elsewhere(locks, "session-a")
    with pytest.raises(TimeoutError, match="held for over 0.1 s"):
        async with locks.hold("session-a"):
            pass
    _release(other)
    async with asyncio.timeout(1), locks.hold("session-a"):
        pass


async def test_a_cancelled_waiter_leaves_the_lock_free(tmp_path: Path):
    locks = FileLocks(tmp_path / "locks")
    other = _held_elsewhere(locks, "session-a")

    async def refresh() -> None:
        async with locks.hold("session-a"):
            pass

    waiting = asyncio.create_task(refresh())
    await asyncio.wait([waiting], timeout=0.05)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    _release(other)
    again = _held_elsewhere(locks, "session-a")  # free: another process takes it at once
    _release(again)


def test_the_lock_files_are_few_whatever_the_number_of_sessions(tmp_path: Path):
    locks = FileLocks(tmp_path / "locks", stripes=8)
    assert len({locks.path_for(f"session-{index}") for index in range(1000)}) == 8
