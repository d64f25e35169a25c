"""Pod logs as a person against the sandbox API server: windows, errors, workloads, and resuming a dropped stream."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import httpx
import pytest
from cutting_proxy import CuttingProxy

from console.kube.api import ActingAs, KubeApi
from console.kube.logs import (
    LogError,
    LogLine,
    LogRequest,
    LogStatus,
    ResumePoint,
    _Cursor,
    follow_logs,
    instant_of,
    label_selector,
)

pytestmark = pytest.mark.sandbox

NOBODY = ActingAs(user="oidc:nobody", groups=("system:authenticated",))


async def _no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


async def _collect(api: KubeApi, request: LogRequest, **options) -> list[LogLine]:
    return [line async for line in follow_logs(api, request, **options)]


async def _first(api: KubeApi, request: LogRequest, count: int, timeout: float = 20) -> list[LogLine]:
    lines: list[LogLine] = []

    async def read() -> None:
        async for line in follow_logs(api, request):
            lines.append(line)
            if len(lines) == count:
                return

    await asyncio.wait_for(read(), timeout)
    return lines


async def _pod(api: KubeApi, want) -> dict:
    pods = (await api.get("/api/v1/pods"))["items"]
    return next(pod for pod in pods if want(pod))


def _running_storefront(pod: dict) -> bool:
    statuses = pod["status"].get("containerStatuses") or [{}]
    return "storefront" in pod["spec"]["containers"][0]["image"] and "running" in (statuses[0].get("state") or {})


def _crashed_before(pod: dict) -> bool:
    statuses = pod["status"].get("containerStatuses") or [{}]
    return "billing-worker" in pod["spec"]["containers"][0]["image"] and "terminated" in (
        statuses[0].get("lastState") or {}
    )


def test_stamps_parse_to_nanoseconds() -> None:
    assert instant_of("1970-01-01T00:00:01.5Z") == 1_500_000_000
    assert instant_of("1970-01-01T00:00:01.000000007Z") == 1_000_000_007
    assert instant_of("1970-01-01T02:00:01+02:00") == 1_000_000_000
    with pytest.raises(ValueError):
        instant_of("hello")


def test_a_selector_becomes_a_label_selector() -> None:
    selector = {
        "matchLabels": {"app": "web", "tier": "front"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["a", "b"]},
            {"key": "x", "operator": "Exists"},
        ],
    }
    assert label_selector(selector) == "app=web,tier=front,env in (a,b),x"


def test_the_cursor_skips_exactly_what_was_delivered_at_the_last_stamp() -> None:
    cursor = _Cursor()
    assert [cursor.admits(t) for t in (1, 2, 2)] == [True, True, True]
    cursor.stamp = "two"
    cursor.reopened()  # a resumed stream repeats from stamp 2 (or from earlier: the server may round down)
    assert [cursor.admits(t) for t in (1, 2, 2, 2, 3)] == [False, False, False, True, True]
    strictly_after = _Cursor.at(ResumePoint("1970-01-01T00:00:02Z"))
    assert [strictly_after.admits(t) for t in (2_000_000_000, 2_000_000_000, 2_000_000_001)] == [False, False, True]
    one_seen = _Cursor.at(ResumePoint("1970-01-01T00:00:02Z", seen=1))
    assert [one_seen.admits(t) for t in (2_000_000_000, 2_000_000_000)] == [False, True]


async def test_a_running_pod_gives_stamped_lines(kube_api: KubeApi) -> None:
    pod = await _pod(kube_api, _running_storefront)
    namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    lines = await _collect(kube_api, LogRequest(namespace, name, tail_lines=5))
    assert len(lines) == 5
    assert {(line.pod, line.container) for line in lines} == {(name, pod["spec"]["containers"][0]["name"])}
    instants = [instant_of(line.time) for line in lines]
    assert instants == sorted(instants)
    assert time.time() - instants[-1] / 1e9 < 30
    assert all('HTTP/1.1" ' in line.text and not line.text.startswith(line.time) for line in lines)
    default = await _collect(kube_api, LogRequest(namespace, name))
    assert len(default) == 100


async def test_since_selects_a_recent_window(kube_api: KubeApi) -> None:
    pod = await _pod(kube_api, _running_storefront)
    request = LogRequest(pod["metadata"]["namespace"], pod["metadata"]["name"], tail_lines=None, since_seconds=15)
    lines = await _collect(kube_api, request)
    assert 5 <= len(lines) <= 40
    assert all(time.time() - instant_of(line.time) / 1e9 < 20 for line in lines)


async def test_following_keeps_delivering_new_lines(kube_api: KubeApi) -> None:
    pod = await _pod(kube_api, _running_storefront)
    lines = await _first(
        kube_api, LogRequest(pod["metadata"]["namespace"], pod["metadata"]["name"], tail_lines=1, follow=True), 3
    )
    assert len(lines) == 3 and lines[0].time < lines[-1].time


async def test_errors_are_worded_for_people(kube_api: KubeApi, cluster_http: httpx.AsyncClient) -> None:
    pod = await _pod(kube_api, _running_storefront)
    namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    with pytest.raises(LogError, match=f"container nope is not valid for pod {name}"):
        await _collect(kube_api, LogRequest(namespace, name, container="nope"))
    with pytest.raises(LogError, match="previous terminated container .* not found"):
        await _collect(kube_api, LogRequest(namespace, name, previous=True))
    with pytest.raises(LogError, match="^Not Found") as missing:
        await _collect(kube_api, LogRequest(namespace, "no-such-pod"))
    assert missing.value.status == 404
    with pytest.raises(LogError, match=f"^You may not read logs of pod {name}$") as refused:
        await _collect(kube_api.as_person(NOBODY), LogRequest(namespace, name))
    assert refused.value.status == 403


async def test_a_multi_container_pod_needs_a_container_or_all(
    kube_api: KubeApi, cluster_http: httpx.AsyncClient
) -> None:
    namespace = "acme-dev-billing"
    manifest = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "two-logs"},
        "spec": {
            "containers": [
                {"name": "app", "image": "docker.io/library/python:3.13"},
                {"name": "proxy", "image": "docker.io/library/nginx:1.29"},
            ]
        },
    }
    (await cluster_http.post(f"/api/v1/namespaces/{namespace}/pods", json=manifest)).raise_for_status()
    with pytest.raises(LogError, match="a container name must be specified for pod two-logs, choose one of: "):
        await _collect(kube_api, LogRequest(namespace, "two-logs"))
    deadline = time.monotonic() + 20
    while True:  # until both containers run and have written something
        try:
            lines = await _collect(kube_api, LogRequest(namespace, "two-logs", all_containers=True, tail_lines=None))
        except LogError:
            lines = []
        if {line.container for line in lines} == {"app", "proxy"} or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert {line.container for line in lines} == {"app", "proxy"}
    assert all(line.pod == "two-logs" and line.time for line in lines)
    only = await _collect(kube_api, LogRequest(namespace, "two-logs", container="proxy", tail_lines=2))
    assert 1 <= len(only) <= 2 and {line.container for line in only} == {"proxy"}


async def test_a_deployment_interleaves_its_pods(kube_api: KubeApi) -> None:
    request = LogRequest("acme-prod-storefront", "storefront", kind="Deployment", tail_lines=20)
    lines = await _collect(kube_api, request)
    pods = {line.pod for line in lines}
    assert len(pods) == 3 and all(pod.startswith("storefront-") for pod in pods)
    assert len(lines) == 60
    instants = [instant_of(line.time) for line in lines]
    assert instants == sorted(instants)  # one time line, not pod after pod
    assert len({line.pod for line in lines[-10:]}) > 1
    followed = await _first(kube_api, dataclasses.replace(request, tail_lines=0, follow=True), 9)
    assert len({line.pod for line in followed}) > 1


async def test_workload_logs_need_the_workload(kube_api: KubeApi) -> None:
    with pytest.raises(LogError, match="^Not Found"):
        await _collect(kube_api, LogRequest("acme-prod-storefront", "nope", kind="StatefulSet"))
    with pytest.raises(LogError, match="^You may not read DaemonSet cilium$"):
        await _collect(kube_api.as_person(NOBODY), LogRequest("kube-system", "cilium", kind="DaemonSet"))


async def test_a_cut_inside_lines_sharing_a_stamp_resumes_without_loss_or_duplicates(
    proxied_api: tuple[KubeApi, CuttingProxy],
) -> None:
    """The crash of a previous instance writes several lines at one stamp; the cut lands after the first of them."""
    api, proxy = proxied_api
    pod = await _pod(api, _crashed_before)
    request = LogRequest(pod["metadata"]["namespace"], pod["metadata"]["name"], previous=True, tail_lines=None)
    for _ in range(5):  # the pod crash-loops: a restart between the two reads changes its previous instance
        restarts = await _restarts(api, request)
        whole = await _collect(api, request)
        stamps = [line.time for line in whole]
        group = next(index for index in range(1, len(stamps)) if stamps[index] == stamps[index - 1])
        body_before = sum(len(f"{line.time} {line.text}\n".encode()) for line in whole[:group])
        proxy.cut_body_after(body_before + 5, "/log")  # five bytes into the second line of the group
        statuses: list[LogStatus] = []
        cuts = proxy.cuts
        resumed = await _collect(api, request, on_status=statuses.append, sleep=_no_wait)
        if await _restarts(api, request) == restarts:
            break
    assert proxy.cuts == cuts + 1
    assert [status.state for status in statuses] == ["reconnecting", "streaming"]
    assert resumed == whole


async def _restarts(api: KubeApi, request: LogRequest) -> int:
    pod = await api.get(f"/api/v1/namespaces/{request.namespace}/pods/{request.name}")
    return pod["status"]["containerStatuses"][0].get("restartCount", 0)


async def test_a_followed_stream_cut_by_the_network_resumes_where_it_stopped(
    proxied_api: tuple[KubeApi, CuttingProxy], kube_api: KubeApi
) -> None:
    api, proxy = proxied_api
    pod = await _pod(kube_api, _running_storefront)
    namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    statuses: list[LogStatus] = []
    lines: list[LogLine] = []

    async def follow() -> None:
        request = LogRequest(namespace, name, tail_lines=50, follow=True)
        async for line in follow_logs(api, request, statuses.append, sleep=_no_wait):
            lines.append(line)
            if len(lines) == 50:
                proxy.cut()  # after the backlog: the connection dies between live lines
            if len(lines) == 53:
                return

    await asyncio.wait_for(follow(), 20)
    assert proxy.cuts == 1 and [status.state for status in statuses] == ["reconnecting", "streaming"]
    # The same window read directly in one go: identical, so nothing was lost or repeated.
    reference = await _collect(
        kube_api, LogRequest(namespace, name, tail_lines=None, resume=ResumePoint(lines[0].time, 0))
    )
    assert reference[: len(lines)] == lines
