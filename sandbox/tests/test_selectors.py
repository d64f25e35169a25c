"""Label and field selector parsing and matching."""

from __future__ import annotations

import pytest
from sovereign_sandbox.storage.selectors import SelectorError, parse_field_selector, parse_label_selector


def _obj(labels: dict[str, str] | None = None, **fields: object) -> dict:
    return {"metadata": {"name": "web-0", "namespace": "shop", "labels": labels or {}}, **fields}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("tier in (front, back)", {"tier": "back"}, True),
        ("tier in (front,back)", {}, False),
        ("tier notin (front)", {}, True),
        ("tier notin (front)", {"tier": "front"}, False),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("!app", {}, True),
        ("app=web,tier in (front),!legacy", {"app": "web", "tier": "front"}, True),
        ("app=web,tier in (front),!legacy", {"app": "web", "tier": "front", "legacy": "1"}, False),
        ("example.com/team=a", {"example.com/team": "a"}, True),
        ("app=", {"app": ""}, True),
        ("", {"anything": "x"}, True),
    ],
)
def test_label_selector_matches(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(selector).matches(_obj(labels)) is expected


@pytest.mark.parametrize("selector", ["app in", "app in (", "tier in ()", "a b", "=x", "app=web)", "in (a"])
def test_label_selector_rejects_malformed(selector: str) -> None:
    with pytest.raises(SelectorError):
        parse_label_selector(selector)


def test_field_selector_common_and_pod_fields() -> None:
    pod = _obj(spec={"nodeName": "worker-1", "hostNetwork": False}, status={"phase": "Running"})
    assert parse_field_selector("metadata.name=web-0", "", "pods").matches(pod)
    assert parse_field_selector("metadata.namespace==shop,status.phase=Running", "", "pods").matches(pod)
    assert not parse_field_selector("spec.nodeName!=worker-1", "", "pods").matches(pod)
    assert parse_field_selector("spec.hostNetwork=false", "", "pods").matches(pod)


def test_field_selector_events_secrets_and_jobs() -> None:
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "web-0"}, "type": "Warning"}
    assert parse_field_selector("involvedObject.kind=Pod,type=Warning", "", "events").matches(event)
    assert parse_field_selector("regarding.name=web-0", "events.k8s.io", "events").matches(event)
    assert parse_field_selector("type=Opaque", "", "secrets").matches({"metadata": {}, "type": "Opaque"})
    assert parse_field_selector("status.successful=1", "batch", "jobs").matches(
        {"metadata": {}, "status": {"succeeded": 0, "successful": 1}}
    )


def test_unknown_field_messages_match_the_real_server() -> None:
    with pytest.raises(
        SelectorError,
        match=r'^"foo.bar" is not a known field selector: only "metadata.name", '
        r'"metadata.namespace"$',
    ):
        parse_field_selector("foo.bar=baz", "networking.k8s.io", "ingresses")
    with pytest.raises(SelectorError, match="^field label not supported: spec.foo$"):
        parse_field_selector("spec.foo=x", "", "pods")
