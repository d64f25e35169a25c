"""The Logs tab as an SRE uses it: a pod's live log, search with highlight, follow, a Deployment's pods."""

from __future__ import annotations

import json
import re

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox

LINE_DEADLINE_MS = 10_000  # the sandbox writes a line every 0.6-1.2 s per container


def _api(sandbox: Sandbox) -> kube_client.ApiClient:
    return kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))


def _running(pod) -> bool:
    statuses = pod.status.container_statuses or []
    return (
        pod.status.phase == "Running"
        and bool(statuses)
        and all(status.state.running and status.ready and not status.restart_count for status in statuses)
    )


@pytest.fixture(scope="module")
def running_pod(sandbox: Sandbox) -> tuple[str, str]:
    """A Running pod with one container and no init containers: (namespace, name)."""
    pods = kube_client.CoreV1Api(_api(sandbox)).list_pod_for_all_namespaces().items
    for pod in sorted(pods, key=lambda pod: (pod.metadata.namespace, pod.metadata.name)):
        if _running(pod) and len(pod.spec.containers) == 1 and not pod.spec.init_containers:
            return pod.metadata.namespace, pod.metadata.name
    pytest.fail("the sandbox has no running single-container pod")


@pytest.fixture(scope="module")
def running_deployment(sandbox: Sandbox) -> tuple[str, str]:
    """A Deployment with several pods that all run steadily: (namespace, name)."""
    api = _api(sandbox)
    core = kube_client.CoreV1Api(api)
    for deployment in kube_client.AppsV1Api(api).list_deployment_for_all_namespaces().items:
        if (deployment.status.ready_replicas or 0) < 2:
            continue
        selector = ",".join(f"{key}={value}" for key, value in deployment.spec.selector.match_labels.items())
        pods = core.list_namespaced_pod(deployment.metadata.namespace, label_selector=selector).items
        if pods and all(_running(pod) and len(pod.spec.containers) == 1 for pod in pods):
            return deployment.metadata.namespace, deployment.metadata.name
    pytest.fail("the sandbox has no running Deployment")


def _open_logs(page: Page, sign_in, kind: str, namespace: str, name: str) -> None:
    sign_in(page, "sre", path=f"/cloud/resource/{kind}/{namespace}/{name}/logs")
    expect(page.get_by_test_id("log-viewer")).to_be_visible()
    expect(page.get_by_test_id("log-line").first).to_be_visible(timeout=LINE_DEADLINE_MS)


def _line_count(page: Page) -> int:
    return page.get_by_test_id("log-line").count()


def test_a_pod_log_streams_is_searchable_and_follows(page: Page, sign_in, running_pod):
    namespace, name = running_pod
    _open_logs(page, sign_in, "pods", namespace, name)
    expect(page.get_by_test_id("log-status")).to_have_text("streaming")
    lines = page.get_by_test_id("log-line")
    expect(lines.first).to_have_attribute("data-pod", name)

    words = re.findall(r"[A-Za-z]{4,}", lines.last.text_content() or "")
    assert words, "the last line has no word to search for"
    page.get_by_test_id("log-search").fill(words[0])
    matches = page.get_by_test_id("log-match")
    expect(matches.first).to_be_visible()
    expect(matches.first).to_have_text(re.compile(re.escape(words[0]), re.IGNORECASE))
    page.get_by_test_id("log-search-next").click()
    expect(page.locator('mark.lv-current[data-testid="log-match"]')).to_have_count(1)
    expect(page.get_by_test_id("log-search-count")).to_have_text(re.compile(r"^1/\d+$"))

    held = _line_count(page)  # follow is on by default: new lines keep coming
    page.wait_for_function(
        "held => document.querySelectorAll('[data-testid=\"log-line\"]').length > held",
        arg=held,
        timeout=LINE_DEADLINE_MS,
    )
    expect(page.get_by_test_id("log-status")).to_have_text("streaming")


def test_a_deployment_log_prefixes_each_line_with_its_pod(page: Page, sign_in, running_deployment):
    namespace, name = running_deployment
    _open_logs(page, sign_in, "deployments", namespace, name)
    first = page.get_by_test_id("log-line").first
    pod = first.get_attribute("data-pod") or ""
    assert pod.startswith(f"{name}-"), pod
    expect(first.get_by_test_id("log-prefix")).to_have_text(f"[{pod}]")


def test_the_tab_is_offered_for_workloads_only(page: Page, sign_in, sandbox: Sandbox, running_deployment):
    namespace, name = running_deployment
    sign_in(page, "sre", path=f"/cloud/resource/deployments/{namespace}/{name}/overview")
    expect(page.get_by_test_id("detail-tab-logs")).to_be_visible()
    config_maps = kube_client.CoreV1Api(_api(sandbox)).list_namespaced_config_map(namespace).items
    assert config_maps, f"{namespace} has no ConfigMap"
    page.goto(
        page.url.split("/cloud/")[0] + f"/cloud/resource/configmaps/{namespace}/{config_maps[0].metadata.name}/overview"
    )
    expect(page.get_by_test_id("detail-tab-overview")).to_be_visible()
    expect(page.get_by_test_id("detail-tab-logs")).to_have_count(0)


def test_a_dropped_socket_reconnects_resuming_after_the_last_line(page: Page, sign_in, running_pod):
    namespace, name = running_pod
    urls: list[str] = []

    def route(socket) -> None:
        urls.append(socket.url)
        server = socket.connect_to_server()
        if len(urls) > 1:
            return
        frames = []

        def forward(message) -> None:  # pass the first frames on, then drop the socket as a restart would
            frames.append(message)
            if len(frames) <= 3:
                socket.send(message)
            elif len(frames) == 4:
                socket.close(code=1012, reason="service restart")
                server.close()

        server.on_message(forward)

    page.route_web_socket(re.compile(r"/ws/logs/"), route)
    _open_logs(page, sign_in, "pods", namespace, name)
    expect(page.get_by_test_id("log-status")).to_have_text("reconnecting (#1)", timeout=LINE_DEADLINE_MS)
    expect(page.get_by_test_id("log-status")).to_have_text("streaming", timeout=LINE_DEADLINE_MS)
    assert "sinceTime=" in urls[1] and "seen=" in urls[1], urls[1]
    held = _line_count(page)
    page.wait_for_function(
        "held => document.querySelectorAll('[data-testid=\"log-line\"]').length > held",
        arg=held,
        timeout=LINE_DEADLINE_MS,
    )
    texts = page.get_by_test_id("log-line").all_text_contents()
    assert len(texts) == len(set(texts)), "a line came twice after the reconnect"


def test_a_burst_beyond_the_buffer_keeps_the_newest_lines_and_says_so(page: Page, sign_in, running_pod):
    namespace, name = running_pod
    burst = 12_000

    def route(socket) -> None:
        socket.send('{"type":"status","state":"streaming","attempt":0}')
        for start in range(0, burst, 1000):
            lines = [
                {
                    "pod": name,
                    "container": "",
                    "time": f"2026-01-01T00:00:{index // 1000:02d}.{index:09d}Z",
                    "text": f"\x1b[32mline {index}\x1b[0m",
                }
                for index in range(start, start + 1000)
            ]
            socket.send(json.dumps({"type": "lines", "lines": lines}))

    page.route_web_socket(re.compile(r"/ws/logs/"), route)
    _open_logs(page, sign_in, "pods", namespace, name)
    expect(page.get_by_test_id("log-count")).to_have_text("10,000 lines")
    expect(page.get_by_test_id("log-dropped")).to_contain_text("2,000 older lines dropped")
    messages = page.locator('[data-testid="log-line"] .lv-msg')
    expect(messages.first).to_have_text("line 2000")  # the ANSI codes are gone; their colour shows
    expect(messages.last).to_have_text(f"line {burst - 1}")
    expect(messages.last.locator("span").first).to_have_css("color", "rgb(35, 209, 139)")
