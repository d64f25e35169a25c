"""Events (core/v1, the form the events tab and the prewarmed cache already read): what happened, where.

Warnings come first, newest first within each type; OBJECT names what the event is about as kubectl does
(`pod/web-1`) and leads to that object's detail page when the console knows its kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from console.kube.api import JsonObject, ResourcePath
from console.kube.events import about, last_seen, occurrences
from console.kube.kinds import Column, Kind, RenderContext, Row, object_link
from console.kube.kinds_catalog._fields import text
from console.kube.objects import human_age, namespace_of
from console.kube.rows import NAMESPACE, object_row

TYPE = Column("type", "TYPE", "status")
REASON = Column("reason", "REASON")
OBJECT = Column("object", "OBJECT", "link")
COUNT = Column("count", "COUNT", numeric=True)
LAST_SEEN = Column("last_seen", "LAST SEEN", numeric=True)
MESSAGE = Column("message", "MESSAGE")

_TONES = {"Warning": "warn", "Error": "err"}
_TYPE_RANK = {"Error": 0, "Warning": 1}  # before Normal (2) and anything else
_FAR_FUTURE = 10**11  # seconds: inverting a timestamp so the newest sorts first within a type


KnownKinds = Callable[[], Mapping[str, Kind]]  # the registry, read when rendering (it is built from this module)


def render_event(obj: JsonObject, context: RenderContext, known: Mapping[str, Kind]) -> Row:
    event_type = text(obj, "type") or "Normal"
    target = about(obj)
    target_kind, target_name = str(target.get("kind") or ""), str(target.get("name") or "")
    target_namespace = str(target.get("namespace") or "") or namespace_of(obj)
    seen = last_seen(obj)
    seen_at = seen.timestamp() if seen else 0.0
    times = occurrences(obj)
    link = object_link(known, target_kind, str(target.get("apiVersion") or ""), target_namespace, target_name)
    row = object_row(
        obj,
        context,
        tone=_TONES.get(event_type, "muted"),  # type: ignore[arg-type]
        cells={
            "type": event_type,
            "reason": text(obj, "reason"),
            "object": f"{target_kind.lower()}/{target_name}" if target_kind else target_name,
            "count": str(times),
            "last_seen": human_age(seen, context.now) if seen else "<unknown>",
            "message": text(obj, "message") or text(obj, "note"),
        },
        sort_keys={
            "type": f"{_TYPE_RANK.get(event_type, 2)}{_FAR_FUTURE - int(seen_at):012d}",
            "count": float(times),
            "last_seen": -seen_at,
        },
    )
    if link:
        row.links["object"] = link
    return row


def events_kind(known: KnownKinds) -> Kind:
    """The Events kind; `known` gives the kinds whose objects OBJECT links to (the registry, once built)."""
    return Kind(
        id="events",
        title="Events",
        kind="Event",
        resource=ResourcePath("", "v1", "events"),
        category="config",
        columns=(NAMESPACE, TYPE, REASON, OBJECT, COUNT, LAST_SEEN, MESSAGE),
        render=lambda obj, context: render_event(obj, context, known()),
        short_names=("ev", "event"),
        default_sort="type",
    )
