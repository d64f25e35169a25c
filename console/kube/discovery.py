"""What the cluster serves: API discovery, and generic kinds for CRDs the registry does not know.

`served_resources` lets the list page say "The cluster does not serve gateways" honestly;
`discover_custom_kinds` gives every other CRD a generic list (NAME, NAMESPACE, its printer columns,
STATUS from a Ready condition, AGE, REGION), as k9s does for any resource, and the capabilities its
definition implies (Flux's reconcile by group, scale from a scale subresource).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Collection, Iterable
from typing import Any

from console.kube.api import JsonObject, KubeApi, KubeApiError, ResourcePath
from console.kube.capabilities import crd_capabilities
from console.kube.jsonpath import JsonPath, JsonPathError, compile_path, format_value
from console.kube.kinds import Column, Kind, RenderContext, Row, Tone
from console.kube.objects import human_age, parse_timestamp
from console.kube.rows import columns, object_row
from console.kube.tones import condition, tone_for_status

__all__ = ["CRD_PATH", "custom_kind", "discover_custom_kinds", "served_resources"]

CRD_PATH = ResourcePath("apiextensions.k8s.io", "v1", "customresourcedefinitions")
_PARALLEL_REQUESTS = 8
_COMMON_KEYS = {"name", "namespace", "status", "age", "region"}
_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")


async def served_resources(api: KubeApi) -> set[ResourcePath]:
    """Every (group, version, plural) the API server serves, from `/api/v1`, `/apis` and `/apis/<g>/<v>`.

    Subresources (`pods/log`) are left out. A group version whose discovery fails (an aggregated API
    that is down) is skipped, as kubectl does; raises `KubeApiError` when the core group cannot be read.
    """
    served = _resources("", "v1", await api.get("/api/v1"))
    groups = await api.get("/apis")
    versions = [
        (str(group.get("name") or ""), str(version.get("version") or ""))
        for group in groups.get("groups") or ()
        if isinstance(group, dict)
        for version in group.get("versions") or ()
        if isinstance(version, dict)
    ]
    limit = asyncio.Semaphore(_PARALLEL_REQUESTS)

    async def one(group: str, version: str) -> set[ResourcePath]:
        async with limit:
            try:
                return _resources(group, version, await api.get(f"/apis/{group}/{version}"))
            except KubeApiError:
                return set()

    for found in await asyncio.gather(*(one(group, version) for group, version in versions if group and version)):
        served |= found
    return served


def _resources(group: str, version: str, document: JsonObject) -> set[ResourcePath]:
    return {
        ResourcePath(group, version, str(entry["name"]))
        for entry in document.get("resources") or ()
        if isinstance(entry, dict) and entry.get("name") and "/" not in str(entry["name"])
    }


async def discover_custom_kinds(api: KubeApi, known: Collection[ResourcePath]) -> list[Kind]:
    """Generic kinds for the cluster's CRDs that no registered kind covers (same group and plural).

    Raises `KubeApiError` when the CRDs cannot be listed (the caller shows why).
    """
    listing = await api.get(CRD_PATH.collection())
    return custom_kinds(listing.get("items") or (), known)


def custom_kinds(definitions: Iterable[object], known: Collection[ResourcePath]) -> list[Kind]:
    """Generic kinds for established CRDs (as listed or cached) that no registered kind covers."""
    covered = {(path.group, path.plural) for path in known}
    kinds = []
    for definition in definitions:
        if not isinstance(definition, dict) or not _established(definition):
            continue
        kind = custom_kind(definition)
        if kind is not None and kind.resource is not None:
            if (kind.resource.group, kind.resource.plural) not in covered:
                kinds.append(kind)
    return sorted(kinds, key=lambda kind: kind.id)


def _established(definition: JsonObject) -> bool:
    established = condition(definition, "Established")
    return established is None or established.get("status") == "True"


def _version_rank(version: str) -> tuple[int, int, int, str]:
    """Kubernetes version priority, best first: GA before beta before alpha, higher numbers first."""
    match = _VERSION.match(version)
    if match is None:
        return (3, 0, 0, version)
    stage = {None: 0, "beta": 1, "alpha": 2}[match[2]]
    return (stage, -int(match[1]), -int(match[3] or 0), "")


def _served_version(spec: JsonObject) -> JsonObject | None:
    """The storage version when it is served, else the highest-priority served version."""
    served = [version for version in spec.get("versions") or () if isinstance(version, dict) and version.get("served")]
    storage = [version for version in served if version.get("storage")]
    if storage:
        return storage[0]
    return min(served, key=lambda version: _version_rank(str(version.get("name") or "")), default=None)


def _column_key(name: str, taken: set[str]) -> str:
    base = "x_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "column")
    key, suffix = base, 2
    while key in taken:
        key, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(key)
    return key


def _plural_title(kind: str) -> str:
    if kind.endswith(("s", "x", "ch", "sh")):
        return f"{kind}es"
    if kind.endswith("y") and kind[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{kind[:-1]}ies"
    return f"{kind}s"


def _mapping(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def custom_kind(definition: JsonObject) -> Kind | None:
    """A generic Kind for one CRD, None when it serves no version."""
    spec = _mapping(definition.get("spec"))
    names = _mapping(spec.get("names"))
    group, plural, kind_name = (
        str(spec.get("group") or ""),
        str(names.get("plural") or ""),
        str(names.get("kind") or ""),
    )
    version = _served_version(spec)
    if not group or not plural or version is None:
        return None
    namespaced = spec.get("scope") != "Cluster"
    printer: list[tuple[Column, str, JsonPath | None]] = []  # column, type, compiled path (None: unsupported)
    status_path: JsonPath | None = None
    taken = set(_COMMON_KEYS)
    for definition_column in version.get("additionalPrinterColumns") or ():
        if not isinstance(definition_column, dict) or int(definition_column.get("priority") or 0) != 0:
            continue
        name = str(definition_column.get("name") or "")
        try:
            path: JsonPath | None = compile_path(str(definition_column.get("jsonPath") or ""))
        except JsonPathError:
            path = None
        if name.lower() == "age":
            continue  # AGE is a common column
        if name.lower() == "status":
            status_path = path  # shown in the common STATUS column
            continue
        column_type = str(definition_column.get("type") or "string")
        numeric = column_type in ("integer", "number", "date")
        printer.append((Column(_column_key(name, taken), name.upper(), numeric=numeric), column_type, path))

    def render(obj: JsonObject, context: RenderContext) -> Row:
        cells: dict[str, str] = {}
        sort_keys: dict[str, str | float] = {}
        for column, column_type, path in printer:
            values = path.find(obj) if path is not None else []
            cells[column.key], sort_key = _printer_cell(values[0] if values else None, column_type, context)
            if sort_key is not None:
                sort_keys[column.key] = sort_key
        status, tone = custom_status(obj, status_path)
        return object_row(obj, context, status=status, tone=tone, cells=cells, sort_keys=sort_keys)

    capabilities, replica_count = crd_capabilities(group, version)
    return Kind(
        id=f"{plural}.{group}",
        title=_plural_title(kind_name) if kind_name else plural,
        kind=kind_name,
        resource=ResourcePath(group, str(version.get("name")), plural),
        category="config",
        section="Custom resources",
        columns=columns(*(column for column, _, _ in printer), namespaced=namespaced),
        render=render,
        short_names=tuple(str(short) for short in names.get("shortNames") or ()),
        capabilities=capabilities,
        replica_count=replica_count,
    )


def _printer_cell(value: Any, column_type: str, context: RenderContext) -> tuple[str, float | None]:
    """A printer column's cell and numeric sort key: dates as ages, numbers sort as numbers."""
    if value is None:
        return "", (0.0 if column_type in ("integer", "number", "date") else None)
    if column_type == "date":
        moment = parse_timestamp(value)
        return human_age(moment, context.now), -(moment.timestamp() if moment else 0.0)
    if column_type in ("integer", "number") and isinstance(value, int | float) and not isinstance(value, bool):
        return format_value(value), float(value)
    return format_value(value), (0.0 if column_type in ("integer", "number") else None)


def custom_status(obj: JsonObject, status_path: JsonPath | None = None) -> tuple[str, Tone]:
    """STATUS of a custom object: its Ready condition (True ok, False err, else warn), else a printer
    column named Status, else `status.phase`; "" (muted) when it says nothing."""
    ready = condition(obj, "Ready")
    if ready is not None:
        state = ready.get("status")
        if state == "True":
            return "Ready", "ok"
        if state == "False":
            return str(ready.get("reason") or "NotReady"), "err"
        return str(ready.get("reason") or "Unknown"), "warn"
    text = status_path.text(obj) if status_path is not None else ""
    if not text:
        status = obj.get("status")
        phase = status.get("phase") if isinstance(status, dict) else None
        text = phase if isinstance(phase, str) else ""
    return text, tone_for_status(text) if text else "muted"
