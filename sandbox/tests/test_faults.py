"""Fault injection through real clients: injected failures and delays, dropped watches, lost history."""

from __future__ import annotations

import time

import httpx
import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException
from sovereign_sandbox.apiserver.server import Sandbox

pytestmark = [pytest.mark.sandbox]


@pytest.fixture(autouse=True)
def _no_leftover_rules(sandbox: Sandbox):
    yield
    sandbox.faults.clear()


def test_fail_next_answers_503_with_retry_after_then_succeeds(sandbox: Sandbox, core, namespace) -> None:
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    sandbox.faults.fail_next(path, count=1, status=503, retry_after=1)
    with httpx.Client(base_url=sandbox.http_url) as http:
        failed = http.get(path)
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
        body = failed.json()
        assert (body["reason"], body["code"], body["details"]["retryAfterSeconds"]) == ("ServiceUnavailable", 503, 1)
        assert http.get(path).status_code == 200
    # The Python client (urllib3) honours Retry-After on 503: it waits, retries and succeeds.
    sandbox.faults.fail_next(path, count=1, status=503, retry_after=1)
    started = time.monotonic()
    assert core.list_namespaced_config_map(namespace).items == []
    assert time.monotonic() - started >= 1
    sandbox.faults.fail_next(path, count=1, status=500)
    with pytest.raises(ApiException) as failure:
        core.list_namespaced_config_map(namespace)
    assert failure.value.status == 500 and '"reason":"InternalError"' in failure.value.body


def test_admin_path_fails_with_429_and_500(sandbox: Sandbox, namespace) -> None:
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    path = f"/api/v1/namespaces/{namespace}/secrets"
    with httpx.Client(base_url=sandbox.https_url, verify=str(sandbox.ca_path), headers=headers) as http:
        answer = http.post("/sandbox/faults/fail", json={"path": path, "count": 2, "status": 429, "retryAfter": 1})
        assert answer.status_code == 200
        throttled = http.get(path)
        assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
        body = throttled.json()
        assert (body["kind"], body["reason"], body["code"]) == ("Status", "TooManyRequests", 429)
        assert body["details"]["retryAfterSeconds"] == 1
        assert http.get(path).status_code == 429
        assert http.get(path).status_code == 200
        http.post("/sandbox/faults/fail", json={"path": path, "status": 500}).raise_for_status()
        failed = http.get(path)
        assert failed.status_code == 500 and failed.json()["reason"] == "InternalError"


def test_delay_next_holds_the_request(sandbox: Sandbox, core, namespace) -> None:
    sandbox.faults.delay_next(f"/api/v1/namespaces/{namespace}/services", count=1, seconds=0.5)
    started = time.monotonic()
    core.list_namespaced_service(namespace)
    assert time.monotonic() - started >= 0.5
    started = time.monotonic()
    core.list_namespaced_service(namespace)
    assert time.monotonic() - started < 0.5


def test_admin_path_refused_for_non_admin_tokens(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.https_url, verify=str(sandbox.ca_path)) as http:
        refused = http.post(
            "/sandbox/faults/drop-watches", headers={"Authorization": f"Bearer {sandbox.console_token}"}, json={}
        )
        assert refused.status_code == 403 and refused.json()["reason"] == "Forbidden"
        assert http.post("/sandbox/faults/drop-watches", json={}).status_code == 401
        allowed = http.post(
            "/sandbox/faults/drop-watches", headers={"Authorization": f"Bearer {sandbox.admin_token}"}, json={}
        )
        assert allowed.status_code == 200 and "dropped" in allowed.json()


def test_drop_watches_ends_kubectl_get_watch(sandbox: Sandbox, kubectl, namespace) -> None:
    process = kubectl.popen("get", "configmaps", "-n", namespace, "--watch", "--output-watch-events")
    try:
        deadline = time.monotonic() + 15
        dropped = 0
        while not dropped and time.monotonic() < deadline:
            dropped = sandbox.faults.drop_watches()
            if not dropped:
                time.sleep(0.1)  # kubectl has not opened its watch yet
        assert dropped >= 1
        assert process.wait(timeout=15) is not None
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_restart_loses_history_so_an_old_watch_gets_410(sandbox: Sandbox, core, namespace) -> None:
    old_version = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="after")))
    sandbox.faults.restart(lose_history=True)
    with pytest.raises(ApiException) as expired:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map, namespace, resource_version=old_version, timeout_seconds=5
        ):
            pass
    assert expired.value.status == 410


def test_expire_next_watches(sandbox: Sandbox, core, namespace) -> None:
    version = core.list_namespaced_config_map(namespace).metadata.resource_version
    sandbox.faults.expire_next_watches(1)
    with pytest.raises(ApiException) as expired:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map, namespace, resource_version=version, timeout_seconds=5
        ):
            pass
    assert expired.value.status == 410
    events = watch.Watch().stream(
        core.list_namespaced_config_map, namespace, resource_version=version, timeout_seconds=1
    )
    assert list(events) == []
