"""Object helpers shared by the store: timestamps, uids, generated names and metadata validation."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sovereign_sandbox.errors import ApiError, invalid
from sovereign_sandbox.storage.resources import ResourceType

__all__ = ["generate_name", "new_uid", "now_rfc3339", "spec_changed", "validate_metadata"]

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# The random suffix alphabet of apiserver's names.SimpleNameGenerator (no vowels, no confusable digits).
_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
# Kinds whose names are DNS labels (they become DNS names or path segments of other names).
_LABEL_NAMED = {("", "namespaces"), ("", "services")}
# RBAC names may be any path segment ("system:controller:foo").
_PATH_SEGMENT_NAMED = {"rbac.authorization.k8s.io"}


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_uid() -> str:
    return str(uuid.uuid4())


def generate_name(prefix: str) -> str:
    return prefix + "".join(random.choice(_SUFFIX_ALPHABET) for _ in range(5))


def spec_changed(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether anything other than metadata and status differs (what bumps metadata.generation)."""
    ignored = {"metadata", "status", "kind", "apiVersion"}
    keys = (set(old) | set(new)) - ignored
    return any(old.get(key) != new.get(key) for key in keys)


def _name_problem(resource: ResourceType, name: str) -> str | None:
    if resource.group in _PATH_SEGMENT_NAMED:
        if name in (".", "..") or "/" in name or "%" in name:
            return f"Invalid value: \"{name}\": may not contain '/' or '%'"
        return None
    if (resource.group, resource.plural) in _LABEL_NAMED:
        if len(name) > 63:
            return f'Invalid value: "{name}": must be no more than 63 characters'
        return None if _LABEL.match(name) else f'Invalid value: "{name}": {_LABEL_MESSAGE}'
    if len(name) > 253:
        return f'Invalid value: "{name}": must be no more than 253 characters'
    return None if _SUBDOMAIN.match(name) else f'Invalid value: "{name}": {_SUBDOMAIN_MESSAGE}'


def validate_metadata(resource: ResourceType, obj: dict[str, Any]) -> None:
    """Raise 422 Invalid for a missing or malformed name, like the real server's ValidateObjectMeta."""
    metadata = obj.get("metadata") or {}
    name = metadata.get("name") or ""
    if not name:
        raise invalid(
            resource.kind,
            resource.group,
            "",
            [
                {
                    "reason": "FieldValueRequired",
                    "message": "Required value: name or generateName is required",
                    "field": "metadata.name",
                }
            ],
        )
    problem = _name_problem(resource, name)
    if problem:
        raise invalid(
            resource.kind,
            resource.group,
            name,
            [{"reason": "FieldValueInvalid", "message": problem, "field": "metadata.name"}],
        )
    labels = metadata.get("labels") or {}
    if not isinstance(labels, dict) or not all(isinstance(value, str) for value in labels.values()):
        raise ApiError(400, "BadRequest", "metadata.labels: values must be strings")
