"""An object as a person reads it in the console: cleaned of server noise, Secret values never shown."""

from __future__ import annotations

import copy

import yaml

from console.kube.api import JsonObject

HIDDEN = "•••••• (hidden)"


def cleaned(obj: JsonObject) -> JsonObject:
    """Drop managedFields (noise for a reader); replace Secret and ConfigMap-like values with a marker."""
    shown = copy.deepcopy(obj)
    metadata = shown.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("managedFields", None)
        annotations = metadata.get("annotations")
        if isinstance(annotations, dict):
            # kubectl keeps the whole last-applied object here, Secret data included.
            annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    if shown.get("kind") == "Secret":
        for field in ("data", "stringData"):
            values = shown.get(field)
            if isinstance(values, dict):
                shown[field] = {key: HIDDEN for key in values}
    return shown


def to_yaml(obj: JsonObject) -> str:
    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
