"""The detail page's YAML tab: the editable manifest, its diff, server dry-run and server-side apply, as the person.

The editor reports its text after a pause in typing (or on blur), so `draft` is the person's latest text
without a round trip per keystroke. Every read and write goes through the person's own `KubeApi`.
"""

from __future__ import annotations

import reflex as rx

from console.audit import AuditNotWritable, audit_log
from console.kube import actions, edits, runtime
from console.kube.api import KubeApi, KubeApiError
from console.kube.kinds import Kind, KindNotFound
from console.pages.resource_detail.state import ResourceDetailState
from console.state.session import current_person
from console.state.timing import timed_event


def _rows(current: str, proposed: str) -> list[dict[str, str]]:
    """Side-by-side diff rows with line numbers as text ("" where a side has no line)."""
    return [
        {key: "" if value is None else str(value) for key, value in row.items()}
        for row in edits.diff(current, proposed)
    ]


class YamlTabState(rx.State):
    """What the YAML tab shows and the outcome of its last action, in plain words."""

    loaded_yaml: str = ""  # the object as the editor loaded it (no status, no server metadata)
    draft: str = ""  # the editor's text, as last reported
    revision: int = 0  # bumped to make the editor take `loaded_yaml` again
    resource_version: str = ""  # of the loaded object
    managed_by: str = "manual"  # flux | manual
    loaded: bool = False
    problem: str = ""  # the object could not be read
    allowed: list[str] = []  # of "edit", "force-apply"
    diff_rows: list[dict[str, str]] = []
    diff_open: bool = False
    diff_title: str = "Current | Proposed"
    result: str = ""
    result_tone: str = "ok"  # ok | err
    error_line: int = 0  # 1-based line of a refused edit (0: none)
    error_column: int = 0
    conflicts: list[dict[str, str]] = []  # {"manager", "field"} of a refused apply
    stale: bool = False  # the live object changed since it was loaded
    live_yaml: str = ""  # the live object when stale, to diff against
    busy: bool = False

    @rx.var
    def unsaved(self) -> bool:
        return self.loaded and self.draft != self.loaded_yaml

    @rx.var
    def can_edit(self) -> bool:
        return "edit" in self.allowed

    @rx.var
    def can_force(self) -> bool:
        return "force-apply" in self.allowed and len(self.conflicts) > 0

    async def _target(self) -> tuple[KubeApi, str, Kind, str, str] | None:
        """(api as the person, their Kubernetes user, kind, namespace, name) of the open object."""
        detail = await self.get_state(ResourceDetailState)
        person = await current_person(self.router.headers.cookie)
        if person is None or not detail.kind_id:
            return None
        identity, acting_as = person
        try:
            kube = runtime.current()
            kind = await kube.catalog.find(detail.kind_id)
        except (runtime.KubeUnavailable, KindNotFound):
            return None
        if kind.resource is None:
            return None
        return kube.api.as_person(acting_as), identity.kube_user, kind, detail.namespace, detail.object_name

    def _clear_outcome(self) -> None:
        self.result, self.result_tone, self.error_line, self.error_column = "", "ok", 0, 0
        self.conflicts, self.stale, self.live_yaml = [], False, ""

    def _say(self, text: str, tone: str, line: int | None = None, column: int | None = None) -> None:
        self.result, self.result_tone, self.busy = text, tone, False
        self.error_line, self.error_column = line or 0, column or 0

    async def _read(self) -> bool:
        """Load the live object into the editor (and what the person may do with it)."""
        target = await self._target()
        if target is None:
            self.problem, self.loaded = "Sign in again to see this object.", False
            return False
        api, user, kind, namespace, name = target
        try:
            obj = await api.get(edits.object_path(kind, namespace, name))
        except KubeApiError as error:
            self.problem, self.loaded = error.message, False
            return False
        except (runtime.KubeUnavailable, edits.EditRefused) as problem:
            self.problem, self.loaded = str(problem), False
            return False
        text = edits.editable_yaml(obj)
        self.loaded_yaml, self.draft, self.revision = text, text, self.revision + 1
        self.resource_version = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        self.managed_by, self.problem, self.loaded = edits.managed_by(obj), "", True
        offered = await actions.allowed_actions(api, runtime.current().reviews, user, kind, namespace, name)
        self.allowed = sorted(offered & {"edit", "force-apply"})
        return True

    @timed_event
    async def open(self):
        """The tab mounted: read the object as the person."""
        self._clear_outcome()
        self.loaded, self.problem, self.allowed, self.diff_rows, self.diff_open, self.busy = (
            False,
            "",
            [],
            [],
            False,
            False,
        )
        await self._read()

    @timed_event
    async def reload(self):
        """Throw the edit away and load the live object."""
        self._clear_outcome()
        self.diff_rows, self.diff_open = [], False
        if await self._read():
            self._say(f"Reloaded (resourceVersion {self.resource_version}).", "ok")

    @timed_event
    def set_draft(self, text: str):
        self.draft = text
        if self.diff_open and not self.stale:
            self.diff_rows = _rows(self.loaded_yaml, self.draft)

    @timed_event
    def toggle_diff(self):
        """Show (or hide) current | proposed side by side."""
        if self.diff_open:
            self.diff_open = False
            return
        self.diff_rows, self.diff_title, self.diff_open = (
            _rows(self.loaded_yaml, self.draft),
            "Current | Proposed",
            True,
        )

    @timed_event
    def diff_against_live(self):
        """After a stale apply: the live object next to the edit."""
        if self.live_yaml:
            self.diff_rows, self.diff_title, self.diff_open = _rows(self.live_yaml, self.draft), "Live | Proposed", True

    async def _parsed(self, kind: Kind, namespace: str, name: str):
        try:
            return edits.parse_edit(self.draft, kind, namespace, name)
        except edits.EditRefused as refused:
            self._say(refused.message, "err", refused.line, refused.column)
            return None

    async def _prepared(self):
        """(api, user, kind, namespace, name, manifest) for a dry-run or an apply, or None after saying why not."""
        self._clear_outcome()
        target = await self._target()
        if target is None:
            self._say("Sign in again to act on this object.", "err")
            return None
        api, user, kind, namespace, name = target
        manifest = await self._parsed(kind, namespace, name)
        return None if manifest is None else (api, user, kind, namespace, name, manifest)

    @timed_event
    async def validate(self):
        """Server-side apply with dryRun=All: the API server's own verdict, nothing stored."""
        prepared = await self._prepared()
        if prepared is None:
            return
        api, _, kind, namespace, name, manifest = prepared
        self.busy = True
        try:
            accepted = await edits.dry_run(api, kind, namespace, name, manifest)
        except edits.ApplyConflict as conflict:
            self._conflict(conflict)
            return
        except edits.WriteFailed as failure:
            self._say(failure.message, "err")
            return
        self._say(f"Dry-run accepted (resourceVersion {accepted.resource_version}).", "ok")

    @timed_event
    async def apply(self):
        await self._apply(force=False)

    @timed_event
    async def force_apply(self):
        if "force-apply" not in self.allowed:
            self._say("You may not force this apply.", "err")
            return
        await self._apply(force=True)

    def _conflict(self, conflict: edits.ApplyConflict) -> None:
        self.conflicts = [{"manager": manager, "field": field} for manager, field in conflict.managers]
        owners = ", ".join(f"{manager} owns {field}" for manager, field in conflict.managers)
        self._say(f"Apply conflict: {owners}.", "err")

    async def _apply(self, *, force: bool):
        prepared = await self._prepared()
        if prepared is None:
            return
        api, user, kind, namespace, name, manifest = prepared
        self.busy = True
        try:
            applied = await edits.apply(
                api,
                kind,
                namespace,
                name,
                manifest,
                force=force,
                expected_resource_version=self.resource_version,
                loaded_yaml=self.loaded_yaml,
                audit=audit_log(),
                actor=user,
            )
        except edits.StaleObject as stale:
            self.stale, self.live_yaml = True, stale.live_yaml
            self._say(stale.message, "err")
            return
        except edits.ApplyConflict as conflict:
            self._conflict(conflict)
            return
        except AuditNotWritable as problem:
            self._say(problem.message, "err")
            return
        except edits.WriteFailed as failure:
            self._say(failure.message, "err")
            return
        self.diff_rows, self.diff_open = [], False
        await self._read()
        self._say(f"Applied (resourceVersion {applied.resource_version}).", "ok")
