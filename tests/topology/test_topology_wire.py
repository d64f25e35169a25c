"""The graph socket's frames: snapshot, deltas (and their size), and the client's view message."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from plain_graph import make_node, shop_graph, synthetic_graph

from console.topology.model import EveryNode, ViewOptions
from console.topology.view import build_view
from console.topology.wire import delta_frame, parse_view_message, snapshot_frame


def _encoded(frame: dict[str, Any] | None) -> str:
    return json.dumps(frame, separators=(",", ":"))


def test_a_snapshot_carries_the_whole_view_in_camel_case() -> None:
    view = build_view(shop_graph(), ViewOptions(), EveryNode())
    frame = snapshot_frame(view, 7)
    assert (frame["type"], frame["seq"], frame["notice"]) == ("snapshot", 7, "")
    assert len(frame["nodes"]) == len(view.nodes) and len(frame["edges"]) == len(view.edges)
    node = next(node for node in frame["nodes"] if node["id"] == "deployments:shop/web")
    assert node == {
        "id": "deployments:shop/web",
        "type": "deployments",
        "title": "Deployment",
        "name": "web",
        "namespace": "shop",
        "shape": "compute",
        "family": "core",
        "status": "healthy",
        "statusText": "Healthy",
        "href": "/cloud/resource/deployments/shop/web",
        "group": "group:namespace:shop",
        "count": 1,
        "summary": "",
        "collapsed": False,
        "focus": "",
    }
    assert frame["groups"] == [{"id": "group:namespace:shop", "title": "shop", "by": "namespace"}]
    assert set(frame["edges"][0]) == {"id", "kind", "source", "target", "count"}
    pods = next(chip for chip in frame["types"] if chip["type"] == "pods")
    assert pods == {
        "type": "pods",
        "title": "Pod",
        "shape": "compute",
        "family": "core",
        "count": 2,
        "shown": False,
        "hiddenByLens": False,
    }
    json.loads(_encoded(frame))


def test_no_change_no_delta() -> None:
    view = build_view(shop_graph(), ViewOptions(), EveryNode())
    assert delta_frame(view, build_view(shop_graph(), ViewOptions(), EveryNode()), 2) is None


def test_a_delta_says_what_was_added_changed_and_removed() -> None:
    before_graph = shop_graph()
    before = build_view(before_graph, ViewOptions(), EveryNode())
    after_graph = shop_graph()
    after_graph.add(dataclasses.replace(after_graph.nodes["deployments:shop/web"], status="failed"))
    after_graph.add(make_node("deployments", "api", "shop"))
    after_graph.remove("ingresses:shop/web")
    after = build_view(after_graph, ViewOptions(), EveryNode())
    frame = delta_frame(before, after, 3)
    assert frame is not None
    assert (frame["type"], frame["seq"]) == ("delta", 3)
    assert [node["id"] for node in frame["nodes"]["added"]] == ["deployments:shop/api"]
    assert [node["id"] for node in frame["nodes"]["changed"]] == ["deployments:shop/web"]
    assert frame["nodes"]["changed"][0]["status"] == "failed"
    assert frame["nodes"]["removed"] == ["ingresses:shop/web"]
    assert frame["edges"] == {"added": [], "removed": ["routes-to|ingresses:shop/web|services:shop/web"]}
    assert frame["groups"] == {"added": [], "removed": []}
    assert [chip["count"] for chip in frame["types"] if chip["type"] == "deployments"] == [2]
    assert "notice" not in frame


def test_a_status_change_is_small_and_types_come_only_when_they_change() -> None:
    graph = synthetic_graph(namespaces=5, nodes=10, deployments=100, pods_per_deployment=5)
    options = ViewOptions(types=frozenset({"pods", "deployments", "services"}))
    before = build_view(graph, options, EveryNode())
    pod = graph.nodes["pods:team-1/app-1-rs-3"]
    graph.add(dataclasses.replace(pod, status="failed", status_text="CrashLoopBackOff"))
    after = build_view(graph, options, EveryNode())
    frame = delta_frame(before, after, 9)
    assert frame is not None and "types" not in frame and "notice" not in frame
    assert [node["summary"] for node in frame["nodes"]["changed"]] == ["4 running · 1 failing"]
    assert len(_encoded(frame)) < 1024


def test_expanding_a_collapse_is_a_modest_delta_and_the_notice_follows() -> None:
    graph = synthetic_graph(namespaces=5, nodes=10, deployments=100, pods_per_deployment=5)
    options = ViewOptions(types=frozenset({"pods", "deployments", "services", "worker-nodes"}))
    before = build_view(graph, options, EveryNode(), collapse_threshold=10)
    opened = dataclasses.replace(options, expanded=frozenset({"collapsed:deployments:team-1/app-1"}))
    after = build_view(graph, opened, EveryNode(), collapse_threshold=10)
    frame = delta_frame(before, after, 4)
    assert frame is not None
    assert len(frame["nodes"]["added"]) == 5 and frame["nodes"]["removed"] == ["collapsed:deployments:team-1/app-1"]
    assert frame["notice"] == "Pods are collapsed under their owners (495 pods): click one to expand it"
    assert len(_encoded(frame)) < 10 * 1024


def test_a_view_message_becomes_options() -> None:
    assert parse_view_message({"type": "view"}) == ViewOptions()
    message = {
        "type": "view",
        "lens": "certManager",
        "types": ["pods", "deployments"],
        "group": "node",
        "expanded": ["collapsed:deployments:shop/web"],
        "focus": "deployments:shop/web",
        "hops": 3,
        "direction": "dependents",
    }
    assert parse_view_message(message) == ViewOptions(
        lens="cert-manager",
        types=frozenset({"pods", "deployments"}),
        group_by="node",
        expanded=frozenset({"collapsed:deployments:shop/web"}),
        focus="deployments:shop/web",
        hops=3,
        direction="dependents",
    )
    assert parse_view_message({"type": "view", "types": None, "expanded": None}).types is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "snapshot"}, 'must have "type": "view"'),
        ({"lens": "kitchen"}, "unknown lens 'kitchen'"),
        ({"lens": 3}, "lens must be a string, not 3"),
        ({"group": "team"}, "group must be one of none, namespace, node, application, not 'team'"),
        ({"hops": 0}, "hops must be a whole number from 1 to 6, not 0"),
        ({"hops": 7}, "hops must be a whole number from 1 to 6, not 7"),
        ({"hops": True}, "hops must be a whole number from 1 to 6, not True"),
        ({"hops": "2"}, "hops must be a whole number from 1 to 6, not '2'"),
        ({"direction": "up"}, "direction must be one of both, depends, dependents, not 'up'"),
        ({"types": "pods"}, "types must be a list of ids or null, not 'pods'"),
        ({"types": [1]}, "types must list strings, not 1"),
        ({"expanded": ["x"] * 501}, "expanded lists 501 ids; at most 500 are allowed"),
        ({"expanded": ["x" * 301]}, "an id in expanded is longer than 300 characters"),
        ({"focus": "x" * 301}, "focus is longer than 300 characters"),
    ],
)
def test_a_bad_view_message_says_what_is_wrong(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_view_message({"type": "view"} | change)
