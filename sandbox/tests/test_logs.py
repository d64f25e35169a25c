"""Pod logs through kubectl and the Python client: windows, follow, previous and the kubelet's error texts."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from sovereign_sandbox.node.containers import Instance
from sovereign_sandbox.node.log_lines import LogStream, rfc3339_nano

pytestmark = [pytest.mark.sandbox]


def _state(pod: dict, index: int = 0) -> dict:
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return statuses[index].get("state") or {}


def _running(pod: dict) -> bool:
    return pod["status"].get("phase") == "Running" and "running" in _state(pod)


def _running_access_pod(pod: dict) -> bool:
    return _running(pod) and "storefront" in pod["spec"]["containers"][0]["image"]


def _restarted(pod: dict) -> bool:
    status = pod["status"].get("containerStatuses") or [{}]
    return _running(pod) and status[0].get("restartCount", 0) > 0


def _never_restarted(pod: dict) -> bool:
    status = pod["status"].get("containerStatuses") or [{}]
    return _running(pod) and status[0].get("restartCount", 0) == 0 and not status[0].get("lastState")


def _parse(stamp: str) -> datetime:
    whole, _, fraction = stamp.rstrip("Z").partition(".")
    return datetime.fromisoformat(whole).replace(tzinfo=UTC) + timedelta(microseconds=int((fraction + "0" * 6)[:6]))


def test_tail_timestamps_and_container(kubectl, pod_where) -> None:
    namespace, name, pod = pod_where(_running_access_pod)
    container = pod["spec"]["containers"][0]["name"]
    lines = kubectl.run("logs", "-n", namespace, name, "-c", container, "--tail=3", "--timestamps").stdout.splitlines()
    assert len(lines) == 3
    stamps = [_parse(line.split(" ", 1)[0]) for line in lines]
    assert stamps == sorted(stamps)
    assert datetime.now(UTC) - stamps[-1] < timedelta(seconds=30)
    assert all('HTTP/1.1" ' in line for line in lines)  # nginx access lines


def test_since_and_limit_bytes(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_running_access_pod)
    lines = kubectl.run("logs", "-n", namespace, name, "--since=20s", "--timestamps").stdout.splitlines()
    assert 5 <= len(lines) <= 60
    assert all(datetime.now(UTC) - _parse(line.split(" ", 1)[0]) < timedelta(seconds=25) for line in lines)
    limited = kubectl.run("logs", "-n", namespace, name, "--limit-bytes=100").stdout
    assert len(limited.encode()) == 100


def test_previous_only_after_a_restart(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_restarted)
    previous = kubectl.run("logs", "-n", namespace, name, "--previous", "--tail=5").stdout.splitlines()
    assert len(previous) == 5
    namespace, name, pod = pod_where(_never_restarted)
    container = pod["spec"]["containers"][0]["name"]
    failed = kubectl.run("logs", "-n", namespace, name, "--previous", check=False)
    assert failed.returncode == 1
    assert f'previous terminated container "{container}" in pod "{name}" not found' in failed.stderr


def test_error_texts(kubectl, pod_where) -> None:
    namespace, name, pod = pod_where(_running)
    unknown = kubectl.run("logs", "-n", namespace, name, "-c", "nope", check=False)
    assert f"container nope is not valid for pod {name}" in unknown.stderr
    namespace, name, pod = pod_where(lambda pod: (_state(pod).get("waiting") or {}).get("reason") == "ImagePullBackOff")
    container = pod["spec"]["containers"][0]["name"]
    waiting = kubectl.run("logs", "-n", namespace, name, check=False)
    assert waiting.returncode == 1
    assert f'container "{container}" in pod "{name}" is waiting to start: trying and failing to pull image' in (
        waiting.stderr
    )


def test_crash_looping_container_ends_with_its_crash(core: client.CoreV1Api, pod_where) -> None:
    namespace, name, _ = pod_where(
        lambda pod: (
            "billing-worker:2.5" in pod["spec"]["containers"][0]["image"]
            and "terminated" in ((pod["status"].get("containerStatuses") or [{}])[0].get("lastState") or {})
        )
    )
    text = core.read_namespaced_pod_log(name, namespace, previous=True)
    lines = text.splitlines()
    assert 5 <= len(lines) <= 40
    assert lines[-1].startswith("psycopg.OperationalError")
    assert text == core.read_namespaced_pod_log(name, namespace, previous=True)  # deterministic


def test_multi_container_pod_needs_a_container(core: client.CoreV1Api, kubectl, namespace: str) -> None:
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(name="two"),
        spec=client.V1PodSpec(
            init_containers=[client.V1Container(name="migrate", image="docker.io/library/alpine:3.22")],
            containers=[
                client.V1Container(name="app", image="docker.io/library/python:3.13"),
                client.V1Container(name="proxy", image="docker.io/library/nginx:1.29"),
            ],
        ),
    )
    core.create_namespaced_pod(namespace, pod)
    with pytest.raises(ApiException) as raised:
        core.read_namespaced_pod_log("two", namespace)
    assert raised.value.status == 400
    assert (
        "a container name must be specified for pod two, choose one of: [app proxy] "
        "or one of the init containers: [migrate]"
    ) in raised.value.body
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        result = kubectl.run("logs", "-n", namespace, "two", "-c", "proxy", "--tail=1", check=False)
        if result.returncode == 0 and result.stdout:
            break
        assert "is waiting to start: ContainerCreating" in result.stderr or not result.stdout
        time.sleep(0.2)
    else:
        raise AssertionError("the pod never started")


def test_follow_with_kubectl(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_running_access_pod)
    process = kubectl.popen("logs", "-f", "--tail=2", "-n", namespace, name)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        seen = [lines.get(timeout=15) for _ in range(4)]  # two from history, then two new ones
    finally:
        process.terminate()
        process.wait(10)
    assert all('HTTP/1.1" ' in line for line in seen)


def test_python_client_read_and_follow(core: client.CoreV1Api, pod_where) -> None:
    namespace, name, _ = pod_where(_running_access_pod)
    text = core.read_namespaced_pod_log(name, namespace, tail_lines=5)
    assert isinstance(text, str) and len(text.splitlines()) == 5
    stream = watch.Watch()
    seen = []
    started = time.monotonic()
    for line in stream.stream(core.read_namespaced_pod_log, name, namespace, tail_lines=1, follow=True):
        seen.append(line)
        if len(seen) == 3:
            stream.stop()
    assert len(seen) == 3 and time.monotonic() - started < 15


def test_follow_ends_when_the_pod_is_deleted(core: client.CoreV1Api, namespace: str) -> None:
    name = f"short-{uuid.uuid4().hex[:5]}"
    core.create_namespaced_pod(
        namespace,
        client.V1Pod(
            metadata=client.V1ObjectMeta(name=name),
            spec=client.V1PodSpec(containers=[client.V1Container(name="app", image="docker.io/library/alpine:3.22")]),
        ),
    )
    deadline = time.monotonic() + 15
    while (core.read_namespaced_pod(name, namespace).status or client.V1PodStatus()).phase != "Running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    response = core.read_namespaced_pod_log(name, namespace, follow=True, _preload_content=False)
    core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)
    started = time.monotonic()
    for _ in response.stream(1024):
        assert time.monotonic() - started < 15
    response.release_conn()


def test_windows_are_computed_not_stored() -> None:
    started = time.time() - 30 * 86400  # a month-old container
    stream = LogStream(seed=7, instance=Instance(started, None), style="java")
    now = time.time()
    assert stream.count(now) > 2_000_000
    first = stream.first_retained(now)
    assert stream.count(now) - first == 4000
    assert stream.time_of(stream.count(now) - 1) <= now < stream.time_of(stream.count(now)) + 1e-9 + stream.step
    since = stream.first_since(now - 10, now)
    assert stream.time_of(since) >= now - 10 > stream.time_of(since - 1)
    assert rfc3339_nano(1.5) == "1970-01-01T00:00:01.5Z"
