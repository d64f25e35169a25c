"""`/rbac/audit`: every audited action, newest first, filtered and paged, live within about a second.

A background loop per tab reads one page of 50 through `console.audit` and waits on the log's change signal
(this process's records at once, other replicas' within a poll) or on the tab's own wake-up (a filter or
page change). The state holds that page only; the CSV export reads the filtered records when asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import reflex as rx

from console.audit import AuditLog, AuditLogUnavailable, AuditPage, AuditQuery, InvalidAuditQuery, audit_log
from console.audit.actors import ActorNames, matching_actors
from console.audit.export import audit_csv
from console.audit.query import MAX_LIMIT, SINCE_CHOICES, since_moment
from console.audit.records import RESULTS
from console.pages.access.directory_gate import DirectoryGateState, visitor
from console.rbac import runtime as rbac_runtime
from console.rbac.keycloak_admin import KeycloakAdmin, KeycloakAdminError
from console.state.connection import tab_connected
from console.state.session import SessionState
from console.state.timing import timed_event
from console.state.wakeups import forget, wake, wakeup_for

ROUTE = "/rbac/audit"
PAGE_SIZE = 50
_MIN_PUSH_INTERVAL = 0.25  # at most four pushes a second, however fast records arrive
_RECHECK_SECONDS = 30.0  # the session and its tier are read again this often
_RETRY_SECONDS = 2.0  # after a failed read of the log
_ACTORS_CONSIDERED = 500  # the actor filter matches among this many different actors
_TONES = {"ok": "ok", "denied": "warn", "error": "err"}
_SINCE_IDS = tuple(choice for choice, _, _ in SINCE_CHOICES)
ALL = "all"  # the selects' "no filter" value (Radix selects cannot hold "")
ANY_TIME = SINCE_CHOICES[0][0]

_names: tuple[int, ActorNames] | None = None  # the process's names, for the Keycloak client they ask


def actor_names() -> ActorNames | None:
    """The process's actor names over Keycloak (None when Keycloak administration is not available)."""
    global _names
    try:
        keycloak = rbac_runtime.current().keycloak
    except rbac_runtime.RbacUnavailable:
        return None
    if keycloak is None:
        return None
    if _names is None or _names[0] != id(keycloak):
        _names = (id(keycloak), ActorNames(_keycloak_lookup(keycloak)))
    return _names[1]


def _keycloak_lookup(keycloak: KeycloakAdmin):
    async def lookup(subject: str) -> str | None:
        try:
            return (await keycloak.get_user(subject)).display
        except KeycloakAdminError as error:
            if error.status in (400, 404):
                return None
            raise

    return lookup


@dataclass(frozen=True, slots=True)
class Filters:
    """The audit page's filters as the person chose them."""

    actor: str = ""
    action: str = ""
    result: str = ""
    since: str = ANY_TIME
    page: int = 0


async def _query_for(audit: AuditLog, names: ActorNames | None, filters: Filters, offset: int, limit: int):
    """The store query for the filters; the actor text matches raw actors and the people behind them."""
    actors = None
    if filters.actor.strip():
        known = await audit.distinct("actor", _ACTORS_CONSIDERED)
        named = await names.names(known) if names is not None else {}
        actors = matching_actors(filters.actor, known, named)
    return AuditQuery(
        actors=actors,
        action=filters.action,
        result=filters.result,
        since=since_moment(filters.since),
        offset=offset,
        limit=limit,
    )


def _time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def audit_rows(page: AuditPage, names: dict[str, str], newer_than: int | None) -> list[dict[str, str]]:
    """The table's rows: display text per column, the result's tone, and whether a row is new since the last
    push (`newer_than`: the newest id there was then; None, the first push, marks nothing)."""
    return [
        {
            "id": str(row.id),
            "time": _time_text(row.record.time),
            "actor": names.get(row.record.actor) or row.record.actor,
            "actor_raw": row.record.actor,
            "action": row.record.action,
            "result": row.record.result,
            "tone": _TONES.get(row.record.result, "muted"),
            "target": row.record.target,
            "detail": row.record.detail,
            "fresh": "true" if newer_than is not None and row.id > newer_than else "false",
        }
        for row in page.rows
    ]


class AuditState(DirectoryGateState, rx.State):
    loading: bool = True
    problem: str = ""  # the log cannot be read now, or a filter is wrong: why
    rows: list[dict[str, str]] = []  # one page
    total: int = 0
    page: int = 0
    actor: str = ""
    action: str = ALL
    result: str = ALL
    since: str = ANY_TIME
    action_choices: list[str] = []
    live: str = "connecting"  # live | reconnecting
    updated: str = ""  # when the page was last read (UTC)
    _generation: int = 0
    _newest_id: int = -1  # the newest record id at the last push (-1: nothing pushed yet)

    @rx.var
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))

    @rx.var
    def filtered(self) -> bool:
        return bool(self.actor.strip()) or ALL not in (self.action, self.result) or self.since != ANY_TIME

    def _filters(self) -> Filters:
        plain = lambda value: "" if value == ALL else value  # noqa: E731
        return Filters(self.actor, plain(self.action), plain(self.result), self.since, self.page)

    @timed_event
    async def open_audit(self):
        """Page load: check the tier (admins and owners), take filters from the URL, then follow the log."""
        self._generation += 1
        self.loading, self.problem, self.live, self._newest_id = True, "", "connecting", -1
        person = await self._check_tier()
        if person is None:
            return SessionState.check
        if not person.may_view:
            self.rows, self.total = [], 0
            return None
        query = self.router.url.query_parameters
        self.actor = str(query.get("actor", ""))[:200]
        self.action = str(query.get("action", "")) or ALL
        self.result = str(query.get("result", "")) if query.get("result") in RESULTS else ALL
        self.since = str(query.get("since", "")) if query.get("since") in _SINCE_IDS else ANY_TIME
        self.page = 0
        return AuditState.follow

    def _changed(self) -> None:
        self.page, self.problem = 0, ""
        wake(self.router.session.client_token)

    @timed_event
    def set_actor(self, value: str):
        self.actor = str(value)[:200]
        self._changed()

    @timed_event
    def set_action(self, value: str):
        self.action = str(value)[:200] or ALL
        self._changed()

    @timed_event
    def set_result(self, value: str):
        if value != ALL and value not in RESULTS:
            self.problem = f"Result must be one of {', '.join(RESULTS)}, not “{value}”."
            return
        self.result = value
        self._changed()

    @timed_event
    def set_since(self, value: str):
        if value not in _SINCE_IDS:
            self.problem = f"“{value}” is not a time range this page offers."
            return
        self.since = value
        self._changed()

    @timed_event
    def clear_filters(self):
        self.actor, self.action, self.result, self.since = "", ALL, ALL, ANY_TIME
        self._changed()

    @timed_event
    def go_to_page(self, page: int):
        if not isinstance(page, int) or page < 0 or page >= self.pages:
            return
        self.page = page
        wake(self.router.session.client_token)

    @timed_event
    async def export_csv(self):
        """The filtered records (at most 10,000, newest first) as a CSV download; the tier is checked again."""
        person = await visitor(self.router.headers.cookie)
        if person is None:
            return SessionState.check
        if not person.may_view:
            self._lose_access(person)
            return None
        try:
            audit = audit_log()
            names = actor_names()
            query = await _query_for(audit, names, self._filters(), 0, MAX_LIMIT)
            page = await audit.query(query)
        except (AuditLogUnavailable, InvalidAuditQuery) as problem:
            self.problem = str(problem)
            return None
        records = [row.record for row in page.rows]
        named = await names.names({record.actor for record in records}) if names is not None else {}
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        return rx.download(data=audit_csv(records, named), filename=f"audit-{stamp}.csv", mime_type="text/csv")

    async def _read(self, audit: AuditLog, names: ActorNames | None, filters: Filters):
        query = await _query_for(audit, names, filters, filters.page * PAGE_SIZE, PAGE_SIZE)
        page, actions, newest = await asyncio.gather(audit.query(query), audit.distinct("action"), audit.newest_id())
        named = await names.names({row.record.actor for row in page.rows}) if names is not None else {}
        return page, actions, named, newest

    @rx.event(background=True)
    async def follow(self):
        """Push the page now and after every new record or filter change, while the tab shows this page."""
        async with self:
            if not self.allowed:  # set from the session by open_audit: a forged start shows nothing
                return
            generation, token, cookie = self._generation, self.router.session.client_token, self.router.headers.cookie
        try:
            audit = audit_log()
        except AuditLogUnavailable as problem:
            async with self:
                self.loading, self.problem = False, str(problem)
            return
        names, wakeup = actor_names(), wakeup_for(token)
        loop = asyncio.get_running_loop()
        checked_at = loop.time()
        try:
            while tab_connected(token):
                async with self:
                    if self._generation != generation or self.router.url.path.rstrip("/") != ROUTE:
                        return
                    filters = self._filters()
                revision = audit.changes.revision
                try:
                    page, actions, named, newest = await self._read(audit, names, filters)
                except InvalidAuditQuery as problem:
                    async with self:
                        self.loading, self.problem = False, str(problem)
                except Exception as error:  # noqa: BLE001  # shown, and read again shortly
                    async with self:
                        self.loading, self.live = False, "reconnecting"
                        self.problem = f"The audit log cannot be read now: {error}"
                    await asyncio.sleep(_RETRY_SECONDS)
                    continue
                else:
                    async with self:
                        if self._generation != generation:
                            return
                        self._show(page, actions, named, newest)
                await asyncio.sleep(_MIN_PUSH_INTERVAL)
                await _changed_or_woken(audit, revision, wakeup)
                if loop.time() - checked_at > _RECHECK_SECONDS:
                    person = await visitor(cookie)
                    if person is None or not person.may_view:
                        async with self:
                            self._lose_access(person)
                            self.rows = []
                        if person is None:
                            yield SessionState.check
                        return
                    checked_at = loop.time()
        finally:
            if not tab_connected(token):
                forget(token)

    def _show(self, page: AuditPage, actions: list[str], named: dict[str, str], newest: int) -> None:
        self.rows = audit_rows(page, named, self._newest_id if self._newest_id >= 0 else None)
        self._newest_id = max(self._newest_id, newest)
        self.total, self.action_choices = page.total, actions
        self.loading, self.live, self.updated = False, "live", time.strftime("%H:%M:%S UTC", time.gmtime())
        if self.problem.startswith("The audit log cannot be read now"):
            self.problem = ""


async def _changed_or_woken(audit: AuditLog, revision: int, wakeup: asyncio.Event) -> None:
    """Until a record is written (here or by another replica), the tab asks, or the session is due a check."""
    waits = {
        asyncio.ensure_future(audit.changes.wait_changed(revision, _RECHECK_SECONDS)),
        asyncio.ensure_future(wakeup.wait()),
    }
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
        for waiting in waits:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await waiting
    wakeup.clear()
