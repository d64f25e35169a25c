"""The Logs tab's socket path and container lists (pure helpers of `console.pages.resource_detail.tabs.logs_state`)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from console.kube.registry import kind_for
from console.pages.resource_detail.tabs.logs_state import (
    ALL_CONTAINERS,
    container_names,
    log_kind,
    pod_spec,
    socket_path,
)
from console.streams.logs import request_from_query


def _path(kind_id: str = "pods", **options) -> str:
    defaults = {"container": "", "follow": True, "previous": False, "tail": "100", "since": "all time"}
    return socket_path(log_kind(kind_for(kind_id)), "acme dev", "web-0", **{**defaults, **options})


def _query(path: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(path).query))


def test_a_pod_path_asks_the_socket_for_what_the_options_say():
    path = _path(container="app", previous=True, tail="all", since="5m")
    assert path.startswith("/ws/logs/acme%20dev/web-0?")
    request = request_from_query("acme dev", "web-0", _query(path))
    assert (request.kind, request.container, request.previous, request.tail_lines) == ("Pod", "app", True, None)
    assert (request.since_seconds, request.follow, request.all_containers) == (300, True, False)


def test_all_containers_of_a_workload():
    request = request_from_query("ns", "web", _query(_path("deployments", container=ALL_CONTAINERS, follow=False)))
    assert (request.kind, request.all_containers, request.follow, request.since_seconds) == (
        "Deployment",
        True,
        False,
        None,
    )


def test_every_kind_with_logs_names_a_kind_the_socket_reads():
    for kind_id in ("pods", "deployments", "statefulsets", "daemonsets", "vclusters"):
        request = request_from_query("ns", "web", _query(_path(kind_id)))
        assert request.kind == kind_for(kind_id).kind


def test_kinds_without_logs_idle():
    assert _path("configmaps") == ""
    assert socket_path("pod", "", "", container="", follow=True, previous=False, tail="100", since="") == ""


def test_containers_of_a_pod_and_of_a_workload_template():
    spec = {"containers": [{"name": "app"}, {"name": "sidecar"}], "initContainers": [{"name": "migrate"}]}
    assert container_names(pod_spec({"spec": spec}, "pod")) == (["app", "sidecar"], ["migrate"])
    assert container_names(pod_spec({"spec": {"template": {"spec": spec}}}, "workload")) == (
        ["app", "sidecar"],
        ["migrate"],
    )
