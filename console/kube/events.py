"""The events tab: core/v1 and events.k8s.io/v1 Events about one object, newest first."""

from __future__ import annotations

from datetime import datetime

from console.kube.api import JsonObject
from console.kube.objects import human_age, metadata_of, parse_timestamp

_TONES = {"Warning": "warn", "Error": "err"}


def _mapping(value: object) -> JsonObject:
    return value if isinstance(value, dict) else {}


def about(event: JsonObject) -> JsonObject:
    """The object an event is about: `regarding` (events.k8s.io/v1) or `involvedObject` (core/v1)."""
    target = event.get("regarding") or event.get("involvedObject")
    return target if isinstance(target, dict) else {}


def is_about(event: JsonObject, kind: str, namespace: str, name: str, uid: str = "") -> bool:
    """Whether an event concerns this object: by uid when both sides have one, else kind, namespace and name."""
    target = about(event)
    if uid and target.get("uid"):
        return target.get("uid") == uid
    target_namespace = target.get("namespace") or metadata_of(event).get("namespace") or ""
    return target.get("kind") == kind and target.get("name") == name and (target_namespace or "") == namespace


def last_seen(event: JsonObject) -> datetime | None:
    series = _mapping(event.get("series"))
    for value in (
        series.get("lastObservedTime"),
        event.get("lastTimestamp"),
        event.get("eventTime"),
        event.get("firstTimestamp"),
        metadata_of(event).get("creationTimestamp"),
    ):
        moment = parse_timestamp(value)
        if moment is not None:
            return moment
    return None


def occurrences(event: JsonObject) -> int:
    """How many times the event happened (its series count, else its count; at least once)."""
    series = _mapping(event.get("series"))
    for value in (series.get("count"), event.get("count"), event.get("deprecatedCount")):
        if isinstance(value, int) and value > 0:
            return value
    return 1


def events_for(
    events: list[JsonObject], kind: str, namespace: str, name: str, uid: str, now: datetime
) -> list[dict[str, str]]:
    """Rows (type, reason, message, count, last_seen, tone, key) about one object, newest first."""
    mine = [event for event in events if is_about(event, kind, namespace, name, uid)]
    floor = datetime.min.replace(tzinfo=now.tzinfo)
    mine.sort(key=lambda event: last_seen(event) or floor, reverse=True)
    rows = []
    for event in mine:
        kind_of_event = str(event.get("type") or "Normal")
        moment = last_seen(event)
        rows.append(
            {
                "key": str(metadata_of(event).get("uid") or metadata_of(event).get("name") or ""),
                "type": kind_of_event,
                "reason": str(event.get("reason") or ""),
                "message": str(event.get("message") or event.get("note") or ""),
                "count": str(occurrences(event)),
                "last_seen": f"{human_age(moment, now)} ago" if moment else "<unknown>",
                "tone": _TONES.get(kind_of_event, "muted"),
            }
        )
    return rows


__all__ = ["about", "events_for", "is_about", "last_seen", "occurrences"]
