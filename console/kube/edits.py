"""YAML editing of one object: what the editor shows, checking an edit, diffing it, dry-run and server-side apply.

Every write is made through the person's own `KubeApi`, so the API server enforces their RBAC; its error
messages are passed on verbatim.
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from console.audit.log import AuditLog, Result
from console.kube.api import JsonObject, KubeApi, KubeApiError
from console.kube.kinds import Kind
from console.kube.manifests import HIDDEN, cleaned, to_yaml
from console.kube.yaml_loader import KubeYamlLoader, YamlTooLarge

FIELD_MANAGER = "sovereign-console"
APPLY_PATCH = "application/apply-patch+yaml"
MAX_EDIT_BYTES = 1024 * 1024
# Written by the server; an edit never carries them (status is a subresource of its own).
SERVER_METADATA = ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp", "selfLink")
FLUX_MANAGED = ("app.kubernetes.io/managed-by", "flux")
FLUX_MANAGED_ANNOTATION = ("catalyst.openova.io/managed-by", "flux")

Change = Literal["equal", "changed", "added", "removed"]


class EditRefused(ValueError):
    """The edited text cannot be applied as it is; nothing was sent to the API server."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # 1-based, for YAML syntax errors
        self.column = column  # 1-based


class WriteFailed(Exception):
    """The API server refused a write (or could not be reached); `message` is its own text."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class Forbidden(WriteFailed):
    """403: the person may not do this (the API server's authorizer said so)."""


class Invalid(WriteFailed):
    """422 (or 400): the object is not valid; `causes` are the Status causes ({reason, message, field})."""

    def __init__(self, message: str, causes: list[JsonObject], status: int = 422) -> None:
        super().__init__(message, status)
        self.causes = causes


class ApplyConflict(WriteFailed):
    """409 on apply: fields owned by other managers would change; `managers` are (manager, field) pairs."""

    def __init__(self, managers: list[tuple[str, str]], message: str) -> None:
        super().__init__(message, 409)
        self.managers = managers


class StaleObject(WriteFailed):
    """The live object changed (or went away) since the editor loaded it."""

    def __init__(self, message: str, expected: str, live: str, live_yaml: str = "") -> None:
        super().__init__(message, 409)
        self.expected = expected  # the resourceVersion the edit started from
        self.live = live  # the live resourceVersion ("" when the object is gone)
        self.live_yaml = live_yaml  # the live object as `editable_yaml` shows it, to diff against


@dataclass(frozen=True, slots=True)
class Applied:
    resource_version: str


@dataclass(frozen=True, slots=True)
class DryRunAccepted:
    resource_version: str


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One side-by-side diff row (`as_dict()` is the wire shape the UI reads)."""

    left: str
    right: str
    change: Change
    left_line: int | None = None  # 1-based line number in the current text
    right_line: int | None = None  # 1-based line number in the proposed text

    def as_dict(self) -> dict[str, Any]:
        return {
            "left": self.left,
            "right": self.right,
            "change": self.change,
            "left_line": self.left_line,
            "right_line": self.right_line,
        }


def editable(obj: JsonObject) -> JsonObject:
    """The object as the editor holds it: `cleaned` (Secret values hidden), minus status and server metadata."""
    shown = cleaned(obj)
    shown.pop("status", None)
    metadata = shown.get("metadata")
    if isinstance(metadata, dict):
        for key in SERVER_METADATA:
            metadata.pop(key, None)
        if metadata.get("annotations") == {}:
            del metadata["annotations"]
    return shown


def editable_yaml(obj: JsonObject) -> str:
    return to_yaml(editable(obj))


def managed_by(obj: JsonObject) -> Literal["flux", "manual"]:
    """Flux ("flux") when Flux owns the object (a direct edit will be reverted), else "manual"."""
    metadata = obj.get("metadata") or {}
    labels = metadata.get("labels") or {}
    annotations = metadata.get("annotations") or {}
    if labels.get(FLUX_MANAGED[0]) == FLUX_MANAGED[1]:
        return "flux"
    if annotations.get(FLUX_MANAGED_ANNOTATION[0]) == FLUX_MANAGED_ANNOTATION[1]:
        return "flux"
    return "manual"


def api_version_of(kind: Kind) -> str:
    if kind.resource is None:
        raise EditRefused(f"{kind.kind} is not served by this cluster.")
    resource = kind.resource
    return f"{resource.group}/{resource.version}" if resource.group else resource.version


def parse_edit(text: str, kind: Kind, namespace: str, name: str) -> JsonObject:
    """The edited manifest, checked to be the object being edited.

    Raises:
        EditRefused: empty, over 1 MiB, a YAML syntax error (with line/column), several documents, not a
            mapping, another apiVersion/kind/name/namespace, or no metadata.
    """
    if not text.strip():
        raise EditRefused("The document is empty.")
    if len(text.encode("utf-8")) > MAX_EDIT_BYTES:
        raise EditRefused("The document is larger than 1 MiB.")
    try:
        documents = [doc for doc in yaml.load_all(text, Loader=KubeYamlLoader) if doc is not None]
    except YamlTooLarge as error:
        raise EditRefused(str(error)) from None
    except RecursionError:
        raise EditRefused("The document is nested too deeply.") from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        if mark is None:
            raise EditRefused(f"YAML syntax error: {problem}.") from None
        line, column = mark.line + 1, mark.column + 1
        raise EditRefused(f"YAML syntax error at line {line}, column {column}: {problem}.", line, column) from None
    except yaml.YAMLError as error:
        raise EditRefused(f"YAML syntax error: {error}.") from None
    if not documents:
        raise EditRefused("The document is empty.")
    if len(documents) > 1:
        raise EditRefused(f"Only one document can be applied here; found {len(documents)}.")
    manifest = documents[0]
    if not isinstance(manifest, dict):
        raise EditRefused("The document must be a mapping (an object with apiVersion, kind and metadata).")
    try:
        json.dumps(manifest)
    except (TypeError, ValueError):
        raise EditRefused("The document holds values JSON cannot carry (binary, sets or non-string keys).") from None
    _check_identity(manifest, kind, namespace, name)
    return manifest


def _check_identity(manifest: JsonObject, kind: Kind, namespace: str, name: str) -> None:
    expected_version = api_version_of(kind)
    if manifest.get("apiVersion") != expected_version:
        raise EditRefused(f"apiVersion must stay {expected_version} (found {manifest.get('apiVersion')!r}).")
    if manifest.get("kind") != kind.kind:
        raise EditRefused(f"kind must stay {kind.kind} (found {manifest.get('kind')!r}).")
    metadata = manifest.get("metadata")
    if not isinstance(metadata, dict):
        raise EditRefused("metadata is missing.")
    if metadata.get("name") != name:
        raise EditRefused(f"metadata.name must stay {name} (found {metadata.get('name')!r}).")
    found_namespace = metadata.get("namespace")
    if kind.namespaced:
        if found_namespace is None:
            metadata["namespace"] = namespace
        elif found_namespace != namespace:
            raise EditRefused(f"metadata.namespace must stay {namespace} (found {found_namespace!r}).")
    elif found_namespace:
        raise EditRefused(f"{kind.kind} is cluster-scoped; metadata.namespace must be left out.")


def diff(current_yaml: str, proposed_yaml: str) -> list[dict[str, Any]]:
    """Side-by-side rows (`left`, `right`, `change`, line numbers) of current vs proposed."""
    left, right = current_yaml.splitlines(), proposed_yaml.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += [DiffRow(left[i], right[i - i1 + j1], "equal", i + 1, i - i1 + j1 + 1) for i in range(i1, i2)]
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        rows += [DiffRow(left[i1 + k], right[j1 + k], "changed", i1 + k + 1, j1 + k + 1) for k in range(paired)]
        rows += [DiffRow(left[i], "", "removed", i + 1, None) for i in range(i1 + paired, i2)]
        rows += [DiffRow("", right[j], "added", None, j + 1) for j in range(j1 + paired, j2)]
    return [row.as_dict() for row in rows]


def unified_diff(current_yaml: str, proposed_yaml: str, context: int = 3) -> str:
    lines = difflib.unified_diff(
        current_yaml.splitlines(keepends=True),
        proposed_yaml.splitlines(keepends=True),
        fromfile="live",
        tofile="edited",
        n=context,
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def object_path(kind: Kind, namespace: str, name: str) -> str:
    if kind.resource is None:
        raise EditRefused(f"{kind.kind} is not served by this cluster.")
    return f"{kind.resource.collection(namespace if kind.namespaced else '')}/{name}"


def audit_target(kind: Kind, namespace: str, name: str) -> str:
    """`deployments.apps/acme-dev-billing/billing-api` (`namespaces/acme` when cluster-scoped)."""
    resource = kind.resource
    plural = (f"{resource.plural}.{resource.group}" if resource.group else resource.plural) if resource else kind.id
    return f"{plural}/{namespace}/{name}" if kind.namespaced else f"{plural}/{name}"


_CONFLICT_MANAGER = re.compile(r'conflict with "((?:[^"\\]|\\.)*)"')


def write_error(error: KubeApiError) -> WriteFailed:
    """The typed error for a refused write, carrying the API server's own message."""
    if error.status == 403:
        return Forbidden(error.message, 403)
    if error.status == 409:
        managers = [
            (_manager_of(cause), str(cause.get("field") or ""))
            for cause in error.causes
            if cause.get("reason") == "FieldManagerConflict"
        ]
        if managers:
            return ApplyConflict(managers, error.message)
    if error.status == 422 or (error.status == 400 and error.causes):
        return Invalid(error.message, error.causes, error.status)
    return WriteFailed(error.message, error.status)


def _manager_of(cause: JsonObject) -> str:
    message = str(cause.get("message") or "")
    found = _CONFLICT_MANAGER.search(message)
    if not found:
        return message
    try:
        return str(json.loads(f'"{found.group(1)}"'))
    except ValueError:
        return found.group(1)


async def dry_run(
    api: KubeApi, kind: Kind, namespace: str, name: str, manifest: JsonObject, *, force: bool = False
) -> DryRunAccepted:
    """Server-side apply with `dryRun=All`: validated and admitted by the server, nothing stored.

    Raises:
        ApplyConflict, Invalid, Forbidden, WriteFailed: the API server's answer.
    """
    path = object_path(kind, namespace, name)
    body = await _with_hidden_values_restored(api, path, kind, manifest)
    try:
        answer = await api.patch(path, body, APPLY_PATCH, _apply_query(force=force, dry_run=True))
    except KubeApiError as error:
        raise write_error(error) from error
    return DryRunAccepted(_resource_version(answer))


async def apply(
    api: KubeApi,
    kind: Kind,
    namespace: str,
    name: str,
    manifest: JsonObject,
    *,
    force: bool = False,
    expected_resource_version: str | None = None,
    loaded_yaml: str | None = None,
    audit: AuditLog | None = None,
    actor: str = "",
) -> Applied:
    """Server-side apply as fieldManager `sovereign-console`; `force` takes over conflicting fields.

    With `expected_resource_version` the live object is checked first (and the apply carries the live
    resourceVersion as a precondition), so an edit never silently overwrites someone else's change.
    Controllers bump the resourceVersion with every status write; with `loaded_yaml` (the text the editor
    loaded) a change the editor never showed (status, managedFields) is not treated as stale.

    Raises:
        StaleObject, ApplyConflict, Invalid, Forbidden, WriteFailed.
    """
    target = audit_target(kind, namespace, name)
    action = "apply.force" if force else "apply"
    if audit is not None:
        await audit.ensure_writable()  # no change the audit log could not record
    try:
        path = object_path(kind, namespace, name)
        body = copy.deepcopy(manifest)
        if expected_resource_version is not None:
            live_version = await _check_fresh(api, path, expected_resource_version, loaded_yaml)
            body.setdefault("metadata", {})["resourceVersion"] = live_version
        body = await _with_hidden_values_restored(api, path, kind, body)
        try:
            answer = await api.patch(path, body, APPLY_PATCH, _apply_query(force=force, dry_run=False))
        except KubeApiError as error:
            failure = write_error(error)
            if error.status == 409 and not isinstance(failure, ApplyConflict) and expected_resource_version:
                failure = StaleObject(error.message, expected_resource_version, "")
            raise failure from error
    except WriteFailed as failure:
        if audit is not None:
            result: Result = "denied" if isinstance(failure, Forbidden) else "error"
            await audit.record(actor, action, target, result, failure.message)
        raise
    applied = Applied(_resource_version(answer))
    if audit is not None:
        await audit.record(actor, action, target, "ok", f"resourceVersion={applied.resource_version}")
    return applied


def _apply_query(*, force: bool, dry_run: bool) -> dict[str, str]:
    query = {"fieldManager": FIELD_MANAGER}
    if force:
        query["force"] = "true"
    if dry_run:
        query["dryRun"] = "All"
    return query


def _resource_version(answer: JsonObject) -> str:
    return str((answer.get("metadata") or {}).get("resourceVersion") or "")


async def _check_fresh(api: KubeApi, path: str, expected: str, loaded_yaml: str | None) -> str:
    """The live resourceVersion, unless the object changed in what the editor shows (then `StaleObject`)."""
    try:
        live = await api.get(path)
    except KubeApiError as error:
        if error.status == 404:
            raise StaleObject("The object was deleted since it was loaded.", expected, "") from error
        raise write_error(error) from error
    live_version = _resource_version(live)
    live_yaml = editable_yaml(live)
    if live_version != expected and live_yaml != loaded_yaml:
        raise StaleObject(
            f"The object changed since it was loaded (resourceVersion {expected} → {live_version}). "
            "Reload it, or compare your edit with the live version.",
            expected,
            live_version,
            live_yaml,
        )
    return live_version


async def _with_hidden_values_restored(api: KubeApi, path: str, kind: Kind, manifest: JsonObject) -> JsonObject:
    """A Secret edited with hidden values gets the live values back, read as the person (their RBAC holds)."""
    if kind.kind != "Secret" or not _holds_hidden(manifest):
        return manifest
    try:
        live = await api.get(path)
    except KubeApiError as error:
        raise write_error(error) from error
    restored = copy.deepcopy(manifest)
    for section in ("data", "stringData"):
        values = restored.get(section)
        if not isinstance(values, dict):
            continue
        live_values = live.get("data") or {}
        for key, value in list(values.items()):
            if value != HIDDEN:
                continue
            if key in live_values:
                restored.setdefault("data", {})[key] = live_values[key]
            if section == "stringData" or key not in live_values:
                del values[key]
    return restored


def _holds_hidden(manifest: JsonObject) -> bool:
    return any(
        isinstance(manifest.get(section), dict) and HIDDEN in manifest[section].values()
        for section in ("data", "stringData")
    )


__all__ = [
    "APPLY_PATCH",
    "FIELD_MANAGER",
    "MAX_EDIT_BYTES",
    "Applied",
    "ApplyConflict",
    "DiffRow",
    "DryRunAccepted",
    "EditRefused",
    "Forbidden",
    "Invalid",
    "StaleObject",
    "WriteFailed",
    "apply",
    "audit_target",
    "diff",
    "dry_run",
    "editable",
    "editable_yaml",
    "managed_by",
    "object_path",
    "parse_edit",
    "unified_diff",
    "write_error",
]
