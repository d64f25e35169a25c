from datetime import UTC, datetime

from console.kube.events import events_for, is_about

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


def _event(name: str, target: dict, last: str, kind: str = "Normal", reason: str = "Pulled", count: int = 1) -> dict:
    return {
        "metadata": {"name": name, "namespace": "shop", "uid": name},
        "involvedObject": target,
        "type": kind,
        "reason": reason,
        "message": f"message {name}",
        "count": count,
        "lastTimestamp": last,
    }


POD = {"kind": "Pod", "namespace": "shop", "name": "web-1", "uid": "u1"}


def test_only_this_objects_events_newest_first_with_warning_tone():
    events = [
        _event("a", POD, "2026-11-27T11:00:00Z"),
        _event("b", POD, "2026-11-27T11:59:00Z", kind="Warning", reason="BackOff", count=4),
        _event("c", {**POD, "name": "web-2", "uid": "u2"}, "2026-11-27T11:59:30Z"),
    ]
    rows = events_for(events, "Pod", "shop", "web-1", "u1", NOW)
    assert [row["key"] for row in rows] == ["b", "a"]
    assert rows[0]["tone"] == "warn"
    assert rows[0]["count"] == "4"
    assert rows[0]["last_seen"] == "60s ago"
    assert rows[1]["tone"] == "muted"


def test_a_recreated_object_does_not_inherit_the_old_ones_events():
    old = _event("a", {**POD, "uid": "old"}, "2026-11-27T11:00:00Z")
    assert not is_about(old, "Pod", "shop", "web-1", "u1")
    assert is_about(old, "Pod", "shop", "web-1", "")  # without a uid, kind/namespace/name decide


def test_events_k8s_io_regarding_and_series():
    event = {
        "metadata": {"name": "e", "namespace": "shop", "uid": "e"},
        "regarding": POD,
        "type": "Normal",
        "reason": "Started",
        "note": "started container app",
        "series": {"count": 3, "lastObservedTime": "2026-11-27T11:58:00Z"},
        "eventTime": "2026-11-27T11:00:00Z",
    }
    [row] = events_for([event], "Pod", "shop", "web-1", "u1", NOW)
    assert (row["message"], row["count"], row["last_seen"]) == ("started container app", "3", "2m ago")


def test_no_events():
    assert events_for([], "Pod", "shop", "web-1", "u1", NOW) == []
