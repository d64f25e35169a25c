"""Helpers that read the wire shape of any Kubernetes object (plain JSON dicts)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

JsonObject = dict[str, Any]


def metadata_of(obj: JsonObject) -> JsonObject:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def name_of(obj: JsonObject) -> str:
    return str(metadata_of(obj).get("name") or "")


def namespace_of(obj: JsonObject) -> str:
    return str(metadata_of(obj).get("namespace") or "")


def uid_of(obj: JsonObject) -> str:
    return str(metadata_of(obj).get("uid") or "")


def resource_version_of(obj: JsonObject) -> str:
    return str(metadata_of(obj).get("resourceVersion") or "")


def labels_of(obj: JsonObject) -> dict[str, str]:
    labels = metadata_of(obj).get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}


def cache_key(obj: JsonObject) -> str:
    """The key of an object within one kind: `namespace/name`, or `name` when cluster-scoped."""
    namespace = namespace_of(obj)
    return f"{namespace}/{name_of(obj)}" if namespace else name_of(obj)


def parse_timestamp(value: object) -> datetime | None:
    """Parse an RFC 3339 timestamp as the API server writes it; None when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def created_at(obj: JsonObject) -> datetime | None:
    return parse_timestamp(metadata_of(obj).get("creationTimestamp"))


def human_age(since: datetime | None, now: datetime) -> str:
    """Age the way kubectl prints it (`45s`, `7m`, `5h`, `3d`), with a second unit while it matters."""
    if since is None:
        return "<unknown>"
    seconds = max(0, int((now - since).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if hours < 3:
        return f"{minutes}m"
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if days < 2:
        return f"{hours}h"
    if days < 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y{days % 365}d"
