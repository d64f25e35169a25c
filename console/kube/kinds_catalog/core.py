"""Core kinds (group ""): namespaces, …"""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Kind, RenderContext, Row
from console.kube.objects import labels_of
from console.kube.rows import LABELS, columns, format_labels, object_row
from console.kube.tones import tone_for_status


def render_namespace(obj: JsonObject, context: RenderContext) -> Row:
    status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
    phase = str(status.get("phase") or "Active")
    return object_row(
        obj,
        context,
        status=phase,
        tone=tone_for_status(phase),
        cells={"labels": format_labels(labels_of(obj))},
    )


NAMESPACES = Kind(
    id="namespaces",
    title="Namespaces",
    kind="Namespace",
    resource=ResourcePath("", "v1", "namespaces"),
    namespaced=False,
    category="config",
    columns=columns(LABELS, namespaced=False),
    render=render_namespace,
    short_names=("ns",),
)

KINDS = (NAMESPACES,)
