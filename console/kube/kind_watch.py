"""One list + watch of one resource type, its objects kept in memory (the unit the shared watch cache holds).

Objects are visible from the first page of the list on: each page updates the objects and moves the
revision, so the first rows of a large kind show while the rest of the list is still coming. A relist
(after `410 Gone`, a broken stream or an outage) reconciles page by page into the objects readers already
see: nothing vanishes and reappears; what the new list no longer holds goes when the list is complete.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import logging
import random
from dataclasses import dataclass
from typing import Any, Literal

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.objects import cache_key, resource_version_of
from console.kube.tables import INCLUDE_OBJECT, TABLE_ACCEPT, TableColumn, column_definitions, is_table, printed_rows

log = logging.getLogger(__name__)

CacheState = Literal["connecting", "loading", "live", "resyncing", "error", "unreachable"]
# Statuses that say no list is coming soon: waiting for one is pointless.
SETTLED_FAILURES: frozenset[CacheState] = frozenset({"error", "unreachable"})
# Object changes remembered for `changed_since`: a reader further behind diffs the whole kind instead.
JOURNAL_LENGTH = 65_536
# Answers that mean the API server (or what stands in front of it) is down, not that it refused.
_UNREACHABLE_STATUSES = frozenset({0, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class CacheStatus:
    """What a page shows about the freshness of a kind's data."""

    state: CacheState
    reason: str = ""
    loaded: int = 0  # objects received so far while the first list is still coming ("loading")
    not_served: bool = False  # the list answered 404: the cluster does not serve the resource (yet)

    def describe(self) -> str:
        if self.state == "live":
            return "live"
        if self.state == "loading":
            return f"loading more… ({self.loaded:,})" if self.loaded else "loading…"
        if self.state in SETTLED_FAILURES:
            return f"{self.state}: {self.reason}" if self.reason else self.state
        if self.state == "resyncing":
            return "reconnecting…"
        return "connecting…"


# Values the console never shows in a list and must not hold longer than needed: kept as keys only.
_VALUE_FIELDS = ("data", "stringData", "binaryData")
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
VALUE_BEARING = frozenset({ResourcePath("", "v1", "secrets"), ResourcePath("", "v1", "configmaps")})


def without_values(obj: JsonObject) -> JsonObject:
    """A Secret or ConfigMap with every value blanked (keys kept for DATA counts); the rest untouched."""
    stripped = dict(obj)
    for field in _VALUE_FIELDS:
        values = stripped.get(field)
        if isinstance(values, dict):
            stripped[field] = dict.fromkeys(values, "")
    metadata = stripped.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        # kubectl apply copies the whole object, values included, into this annotation.
        annotations = {k: v for k, v in metadata["annotations"].items() if k != _LAST_APPLIED}
        stripped["metadata"] = {**metadata, "annotations": annotations}
    return stripped


class _WatchExpired(Exception):
    """The watch's resourceVersion is older than the server's history (410): relist."""


def _unchanged(obj: JsonObject) -> JsonObject:
    return obj


def failure_status(error: KubeApiError | ValueError) -> CacheStatus:
    """`unreachable` when the API server could not be reached or is unavailable, else `error`."""
    if isinstance(error, KubeApiError):
        state: CacheState = "unreachable" if error.status in _UNREACHABLE_STATUSES else "error"
        # A real server answers an unserved group with a plain-text 404 and an unknown resource of a served
        # group with a NotFound Status: the status code, not the wording, says "not served".
        return CacheStatus(state, error.message.strip(), not_served=error.status == 404)
    return CacheStatus("error", f"bad response: {error}")


class KindWatch:
    """One list + watch of one resource type, its objects kept in memory."""

    def __init__(
        self,
        api: KubeApi,
        resource: ResourcePath,
        *,
        page_size: int = 500,
        max_backoff_seconds: float = 30.0,
        sync_timeout_seconds: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        self.resource = resource
        self._api = api
        self._page_size = page_size
        self._max_backoff = max_backoff_seconds
        self._sync_timeout = sync_timeout_seconds
        self._rng = rng or random.Random()
        self._objects: dict[str, JsonObject] = {}
        self._keep = without_values if resource in VALUE_BEARING else _unchanged
        # Table mode (`print_tables`): each object's cells as the server prints them, by cache key.
        self._tables = False
        self._cells: dict[str, dict[str, Any]] = {}
        self.table_columns: list[TableColumn] = []
        self._revision = 0
        self._journal: collections.deque[str] = collections.deque(maxlen=JOURNAL_LENGTH)  # changed cache keys
        self._changes = 0  # object changes ever made; the journal holds the last JOURNAL_LENGTH of them
        self._status = CacheStatus("connecting")
        self._changed = asyncio.Event()
        self._synced = asyncio.Event()
        self.relists = 0  # how many full lists were made; tests and status pages read it
        self.restarts = 0  # how many times an unforeseen failure restarted the loop

    @property
    def revision(self) -> int:
        """Moves whenever an object or the status changes (once per page while a list arrives)."""
        return self._revision

    @property
    def status(self) -> CacheStatus:
        return self._status

    @property
    def synced(self) -> bool:
        """True once the first full list arrived (before that, `objects()` may be the first pages only)."""
        return self._synced.is_set()

    @property
    def loading(self) -> bool:
        """True while the first list is under way and the server is answering (a page shows a spinner)."""
        return not self.synced and self._status.state not in SETTLED_FAILURES

    @property
    def tables(self) -> bool:
        return self._tables

    def print_tables(self) -> None:
        """From the next (re)list on, fetch objects in the server's Table form with the objects included,
        so each object's printed cells are kept beside it (`printed_cells`)."""
        self._tables = True

    def printed_cells(self, obj: JsonObject) -> dict[str, Any] | None:
        """The cells the server printed for this object (by column name); None when not printed (yet)."""
        return self._cells.get(cache_key(obj))

    def objects(self) -> list[JsonObject]:
        """A snapshot of every cached object (the list is new; the objects must not be mutated)."""
        return list(self._objects.values())

    def __len__(self) -> int:
        return len(self._objects)

    def get(self, key: str) -> JsonObject | None:
        """The cached object with this cache key (`namespace/name`, or `name`), None when there is none."""
        return self._objects.get(key)

    @property
    def change_count(self) -> int:
        """How many object changes (add, modify, delete) the cache has made; a reader's bookmark."""
        return self._changes

    def changed_since(self, change_count: int) -> list[str] | None:
        """The cache keys changed after the bookmark `change_count` (oldest first, repeats possible), or None
        when the journal no longer reaches back that far: the reader must then compare every object."""
        behind = self._changes - change_count
        if behind < 0 or behind > len(self._journal):
            return None
        return list(itertools.islice(reversed(self._journal), behind))[::-1]

    def _record_change(self, key: str) -> None:
        """Journal a change of the object with this cache key (for `changed_since`)."""
        self._journal.append(key)
        self._changes += 1

    async def wait_synced(self, timeout: float | None = None) -> bool:
        """Wait for the first full list; True once it is there.

        Never waits longer than `timeout` (default: the cache's sync timeout), and gives up at once when
        the status says no list is coming now (`unreachable: …`, `error: …`): the caller shows that status
        and what is cached instead of freezing.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self._sync_timeout if timeout is None else timeout)
        revision = self._revision
        while not self.synced and self._status.state not in SETTLED_FAILURES:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            revision = await self.wait_changed(revision, timeout=remaining)
        return self.synced

    async def wait_changed(self, after_revision: int, timeout: float | None = None) -> int:
        """Wait until the revision moves past `after_revision` (or the timeout); return the revision."""
        deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
        while self._revision <= after_revision:
            event = self._changed
            remaining = None if deadline is None else deadline - asyncio.get_running_loop().time()
            if remaining is not None and remaining <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
        return self._revision

    def _bump(self) -> None:
        self._revision += 1
        event, self._changed = self._changed, asyncio.Event()
        event.set()

    def _set_status(self, status: CacheStatus) -> None:
        if status != self._status:
            self._status = status
            self._bump()

    async def run(self) -> None:
        """List, then watch from the list's resourceVersion; relist on 410; reconnect with backoff.

        Nothing but cancellation ends this loop: an unforeseen exception is logged with its traceback and
        the loop starts over after the same backoff as any other failure.
        """
        failures = 0
        while True:
            try:
                resource_version = await self._relist()
                failures = 0
                self._set_status(CacheStatus("live"))
                while True:
                    resource_version = await self._watch_from(resource_version)
            except _WatchExpired:
                self._set_status(CacheStatus("resyncing"))
                continue
            except (KubeApiError, ValueError) as error:
                failures += 1
                status = failure_status(error)
                if status.reason != self._status.reason:
                    log.warning("watch of %s failed (%s); retrying", self.resource.collection(), status.reason)
                self._set_status(status)
            except Exception as error:  # noqa: BLE001 - a bug or a malformed answer must not end the watch for good
                failures += 1
                self.restarts += 1
                log.exception("watch of %s died unexpectedly; restarting it", self.resource.collection())
                self._set_status(CacheStatus("error", f"unexpected failure: {type(error).__name__}: {error}"))
            await asyncio.sleep(self._backoff(failures))
            if self._status.state == "error":
                # Retrying: say so. `unreachable` stays until an answer comes, so the page does not flicker.
                self._set_status(CacheStatus("resyncing", self._status.reason))

    def _backoff(self, failures: int) -> float:
        """Capped exponential backoff with full jitter, so many consoles don't reconnect in step."""
        ceiling = min(self._max_backoff, 0.5 * (2 ** min(failures, 10)))
        return self._rng.uniform(ceiling / 2, ceiling)

    async def _page(self, continue_token: str) -> JsonObject:
        """One page of the list; if no answer comes within the sync timeout the status says unreachable."""
        overdue = asyncio.get_running_loop().call_later(self._sync_timeout, self._overdue)
        query = {"limit": self._page_size, "continue": continue_token}
        try:
            if self._tables:
                table = await self._api.get(
                    self.resource.collection(), {**query, **INCLUDE_OBJECT}, accept=TABLE_ACCEPT
                )
                return {"metadata": table.get("metadata") or {}, "items": self._printed(table)}
            return await self._api.get(self.resource.collection(), query)
        finally:
            overdue.cancel()

    def _overdue(self) -> None:
        if self._status.state not in SETTLED_FAILURES:
            reason = f"no answer from the API server in {self._sync_timeout:g} s"
            log.warning("listing %s: %s", self.resource.collection(), reason)
            self._set_status(CacheStatus("unreachable", reason))

    async def _relist(self) -> str:
        """List in pages, merging each page into the objects as it arrives; drop what the list no longer has."""
        seen: set[str] = set()
        continue_token, list_version = "", ""
        restarted = changed = False
        while True:
            try:
                page = await self._page(continue_token)
            except KubeApiError as error:
                if error.status == 410 and continue_token and not restarted:
                    # The continue token outlived the server's snapshot: list again from the start.
                    seen.clear()
                    continue_token, restarted = "", True
                    continue
                raise
            items = page.get("items") or []
            if not isinstance(items, list):
                raise ValueError("the list's items are not a list")
            page_changed = self._merge(items, seen)
            changed = changed or page_changed
            metadata = page.get("metadata") or {}
            list_version = str(metadata.get("resourceVersion") or list_version)
            continue_token = str(metadata.get("continue") or "")
            if not continue_token:
                break
            self._page_arrived(page_changed)
        gone = self._objects.keys() - seen
        for key in gone:
            del self._objects[key]
            self._cells.pop(key, None)
            self._record_change(key)
        self.relists += 1
        self._synced.set()
        if changed or gone or self._revision == 0 or self._tables:  # a Table relist brings fresh printed cells
            self._bump()
        return list_version

    def _merge(self, items: list[Any], seen: set[str]) -> bool:
        """Put a page's objects into the cache; True when any was new or changed."""
        changed = False
        for item in items:
            if not isinstance(item, dict):
                raise ValueError("a list item is not an object")
            key = cache_key(item)
            seen.add(key)
            cached = self._objects.get(key)
            if cached is None or resource_version_of(cached) != resource_version_of(item):
                self._objects[key] = self._keep(item)
                self._record_change(key)
                changed = True
        return changed

    def _page_arrived(self, changed: bool) -> None:
        """Readers see every page at once: the first list says how far it got, a relist that it is under way."""
        if not self.synced:
            self._set_status(CacheStatus("loading", loaded=len(self._objects)))
        elif self._status.state != "resyncing":
            self._set_status(CacheStatus("resyncing"))
        if changed:
            self._bump()

    async def _watch_from(self, resource_version: str) -> str:
        query = {
            "resourceVersion": resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": self._rng.randint(240, 300),
        }
        try:
            if self._tables:
                events = self._api.watch(self.resource.collection(), {**query, **INCLUDE_OBJECT}, accept=TABLE_ACCEPT)
            else:
                events = self._api.watch(self.resource.collection(), query)
            async for event in events:
                resource_version = self._apply_printed(event, resource_version)
        except KubeApiError as error:
            if error.status == 410:
                raise _WatchExpired() from error
            raise
        return resource_version

    def _printed(self, table: JsonObject) -> list[JsonObject]:
        """The objects of a Table (list page or watch event), their cells kept by key.

        Real servers send the column definitions once per watch and leave them out of later events: the
        last ones seen stay in use.
        """
        self.table_columns = column_definitions(table) or self.table_columns
        objects = []
        for obj, cells in printed_rows(table, self.table_columns):
            self._cells[cache_key(obj)] = cells
            objects.append(obj)
        return objects

    def _apply_printed(self, event: JsonObject, resource_version: str) -> str:
        """Apply a watch event whose object may be a Table of rows (Table mode) as plain events."""
        obj = event.get("object")
        if event.get("type") not in ("ADDED", "MODIFIED", "DELETED") or not isinstance(obj, dict) or not is_table(obj):
            return self._apply(event, resource_version)
        for row_object in self._printed(obj):
            resource_version = self._apply({"type": event["type"], "object": row_object}, resource_version)
        return resource_version_of(obj) or resource_version

    def _apply(self, event: JsonObject, resource_version: str) -> str:
        """Apply one watch event to the cache; return the resourceVersion to resume from."""
        event_type = event.get("type")
        obj = event.get("object") or {}
        if event_type == "ERROR":
            code = int(obj.get("code") or 0)
            raise KubeApiError(code, str(obj.get("reason") or ""), str(obj.get("message") or "watch error"))
        if event_type == "DELETED":
            key = cache_key(obj)
            self._objects.pop(key, None)
            self._cells.pop(key, None)
            self._record_change(key)
            self._bump()
        elif event_type in ("ADDED", "MODIFIED"):
            key = cache_key(obj)
            self._objects[key] = self._keep(obj)
            self._record_change(key)
            self._bump()
        # BOOKMARKs carry only a resourceVersion: remembering it is their whole point.
        return resource_version_of(obj) or resource_version
