"""Leader election on a `coordination.k8s.io/v1` Lease, as client-go's leaderelection does it.

One holder at a time: a candidate takes the Lease when it is free (no holder: released) or expired (its
record has not moved for `leaseDurationSeconds`, measured on our own clock, never trusting another
machine's), writing with the resourceVersion it read, so of two candidates exactly one wins (the other
gets 409). The leader renews every few seconds; when it cannot renew before the renew deadline (two thirds
of the lease) it stops leading — before anyone else may take over. On shutdown it clears the holder so a
standby takes over at once instead of waiting out the lease.

    elector = LeaderElector(api, "catalyst-system", "sovereign-console-reconciler")
    await elector.run(reconciler.run)          # runs reconciler.run only while leading, stops it when lost

or `async with elector.campaigning(reconciler.run):` to campaign in the background for the block.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from console.kube.api import KubeApi, KubeApiError

__all__ = ["LEASE_NAME", "LeaderElector", "default_identity"]

log = logging.getLogger(__name__)

LEASE_NAME = "sovereign-console-reconciler"
_LEASES = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
_RELEASE_TIMEOUT_SECONDS = 3.0

JsonObject = dict[str, Any]


def default_identity() -> str:
    """`<hostname>-<pid>-<random>`: unique per process, readable in `kubectl get lease`."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _micro_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _LeadershipLost(Exception):
    """The Lease is someone else's now, or could not be renewed in time."""


class LeaderElector:
    """Campaigns for one Lease; `leading` says whether this process holds it now."""

    def __init__(
        self,
        api: KubeApi,
        namespace: str,
        name: str = LEASE_NAME,
        *,
        identity: str | None = None,
        lease_seconds: float = 15.0,
        renew_seconds: float = 5.0,
        retry_seconds: float = 2.0,
        on_started: Callable[[], None] | None = None,
        on_stopped: Callable[[], None] | None = None,
    ) -> None:
        self.namespace = namespace
        self.name = name
        self.identity = identity or default_identity()
        self._api = api
        self._lease_seconds = lease_seconds
        self._renew_seconds = renew_seconds
        self._retry_seconds = retry_seconds
        self._renew_deadline = lease_seconds * 2 / 3
        self._on_started = on_started
        self._on_stopped = on_stopped
        self._collection = _LEASES.format(namespace=namespace)
        self._path = f"{self._collection}/{name}"
        self._lease: JsonObject | None = None  # the Lease as last written or read
        self._observed: tuple[str, str, str] | None = None  # (holder, renewTime, resourceVersion) last seen
        self._observed_at = 0.0  # our monotonic clock when `_observed` last changed
        self._leading = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.problem = ""  # why the last attempt to talk to the API server failed ("" when it did not)

    @property
    def leading(self) -> bool:
        return self._leading.is_set()

    async def wait_leading(self) -> None:
        await self._leading.wait()

    def _spec(self, transitions: int, acquired: str) -> JsonObject:
        return {
            "holderIdentity": self.identity,
            "leaseDurationSeconds": max(1, round(self._lease_seconds)),
            "acquireTime": acquired,
            "renewTime": _micro_time(),
            "leaseTransitions": transitions,
        }

    async def _read(self) -> JsonObject | None:
        try:
            return await self._api.get(self._path)
        except KubeApiError as error:
            if error.status == 404:
                return None
            raise

    async def try_acquire(self) -> bool:
        """One attempt: take the Lease if it is free or expired (or already ours); True when we hold it."""
        lease = await self._read()
        now = time.monotonic()
        if lease is None:
            body = {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": self.name, "namespace": self.namespace},
                "spec": self._spec(0, _micro_time()),
            }
            try:
                self._lease = await self._api.post(self._collection, body)
            except KubeApiError as error:
                if error.status == 409:  # another candidate created it first
                    return False
                raise
            return True
        spec = lease.get("spec") or {}
        holder = str(spec.get("holderIdentity") or "")
        record = (holder, str(spec.get("renewTime") or ""), str((lease.get("metadata") or {}).get("resourceVersion")))
        if record != self._observed:
            self._observed, self._observed_at = record, now
        duration = float(spec.get("leaseDurationSeconds") or self._lease_seconds)
        if holder and holder != self.identity and now < self._observed_at + duration:
            return False  # held, and renewed within its duration as far as we have seen
        transitions = int(spec.get("leaseTransitions") or 0) + (0 if holder == self.identity else 1)
        acquired = str(spec.get("acquireTime") or "") if holder == self.identity else _micro_time()
        lease = {**lease, "spec": {**spec, **self._spec(transitions, acquired)}}
        try:
            self._lease = await self._api.put(self._path, lease)
        except KubeApiError as error:
            if error.status == 409:  # someone else wrote it after our read: they won
                return False
            raise
        return True

    async def _renew(self) -> None:
        """Renew the Lease we hold. Raises `_LeadershipLost` when it turned out to be someone else's."""
        lease = self._lease or await self._read()
        for _ in range(2):
            if lease is None or str((lease.get("spec") or {}).get("holderIdentity") or "") != self.identity:
                raise _LeadershipLost("the Lease is held by someone else now")
            spec = {**(lease.get("spec") or {}), "renewTime": _micro_time()}
            try:
                self._lease = await self._api.put(self._path, {**lease, "spec": spec})
                return
            except KubeApiError as error:
                if error.status not in (404, 409):
                    raise
                lease = await self._read()  # changed under us: look again
        raise _LeadershipLost("the Lease kept changing under us")

    async def _keep_renewing(self) -> None:
        """Renew every `renew_seconds`; return (leadership lost) when the Lease is someone else's or the renew
        deadline passed without a successful renewal (a hung request counts as a failed one)."""
        renewed_at = time.monotonic()
        delay = self._renew_seconds
        while True:
            await asyncio.sleep(delay)
            remaining = renewed_at + self._renew_deadline - time.monotonic()
            try:
                await asyncio.wait_for(self._renew(), max(0.05, remaining))
            except _LeadershipLost as lost:
                log.warning("lost the Lease %s/%s: %s", self.namespace, self.name, lost)
                return
            except (KubeApiError, TimeoutError) as error:
                self.problem = f"cannot renew the Lease {self.namespace}/{self.name}: {error or 'timed out'}"
                if time.monotonic() - renewed_at >= self._renew_deadline:
                    log.warning("%s; stopping work", self.problem)
                    return
                delay = self._retry_seconds
                continue
            renewed_at = time.monotonic()
            self.problem = ""
            delay = self._renew_seconds

    async def _acquire(self) -> None:
        while True:
            try:
                if await self.try_acquire():
                    self.problem = ""
                    return
            except KubeApiError as error:
                problem = f"cannot read the Lease {self.namespace}/{self.name}: {error}"
                if problem != self.problem:
                    log.warning("%s; retrying", problem)
                self.problem = problem
            await asyncio.sleep(self._retry_seconds)

    async def release(self) -> None:
        """Give the Lease up (holder cleared) if we hold it, so a standby takes over at once."""
        lease = self._lease
        self._lease = None
        if lease is None:
            return
        spec = {
            **(lease.get("spec") or {}),
            "holderIdentity": "",
            "leaseDurationSeconds": 1,
            "renewTime": _micro_time(),
        }
        try:
            await asyncio.wait_for(self._api.put(self._path, {**lease, "spec": spec}), _RELEASE_TIMEOUT_SECONDS)
        except (KubeApiError, TimeoutError) as error:
            log.info("could not release the Lease %s/%s: %s", self.namespace, self.name, error)

    def _set_leading(self, leading: bool) -> None:
        if leading == self.leading:
            return
        if leading:
            self._leading.set()
            callback = self._on_started
        else:
            self._leading.clear()
            callback = self._on_stopped
        if callback is not None:
            callback()

    async def run(self, work: Callable[[], Awaitable[None]]) -> None:
        """Campaign forever; while leading, run `work()`, cancelling it as soon as leadership is lost.

        `work` that ends on its own (or fails) gives the Lease up, and the campaign starts over. Cancelling
        `run` stops the work and releases the Lease.
        """
        try:
            while True:
                await self._acquire()
                log.info("leading: Lease %s/%s as %s", self.namespace, self.name, self.identity)
                self._set_leading(True)
                working = asyncio.ensure_future(work())
                renewing = asyncio.create_task(self._keep_renewing(), name=f"renew Lease {self.name}")
                try:
                    await asyncio.wait({working, renewing}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    self._set_leading(False)
                    for task in (working, renewing):
                        task.cancel()
                    await asyncio.gather(working, renewing, return_exceptions=True)
                if working.done() and not working.cancelled() and working.exception() is not None:
                    log.error("the leader's work failed; giving the Lease up", exc_info=working.exception())
                if not renewing.done() or renewing.cancelled():
                    await self.release()  # the work ended while we still held the Lease
                else:
                    self._lease = None  # lost: it is not ours to release
                await asyncio.sleep(self._retry_seconds)
        finally:
            self._set_leading(False)
            await asyncio.shield(self.release())

    @contextlib.asynccontextmanager
    async def campaigning(self, work: Callable[[], Awaitable[None]]) -> AsyncIterator[LeaderElector]:
        """`run(work)` in the background for the duration of the block; stopped (and released) on exit."""
        task = asyncio.create_task(self.run(work), name=f"campaign for Lease {self.name}")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
