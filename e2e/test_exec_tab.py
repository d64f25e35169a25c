"""The Shell tab as an SRE uses it: open a shell in a running pod, run a command, exit with a status; a viewer can't."""

from __future__ import annotations

import pytest
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from playwright.sync_api import Page, expect
from sovereign_sandbox.apiserver.server import Sandbox
from sovereign_sandbox.node.containers import image_traits

SHELL_DEADLINE_MS = 15_000


def _running(pod) -> bool:
    statuses = pod.status.container_statuses or []
    return pod.status.phase == "Running" and bool(statuses) and all(status.state.running for status in statuses)


@pytest.fixture(scope="module")
def running_pod(sandbox: Sandbox) -> tuple[str, str]:
    """A Running single-container pod whose image has a shell: (namespace, name)."""
    api = kube_config.new_client_from_config(config_file=str(sandbox.kubeconfig_path))
    pods = kube_client.CoreV1Api(api).list_pod_for_all_namespaces().items
    for pod in sorted(pods, key=lambda pod: (pod.metadata.namespace, pod.metadata.name)):
        if _running(pod) and len(pod.spec.containers) == 1 and image_traits(pod.spec.containers[0].image).shells:
            return pod.metadata.namespace, pod.metadata.name
    pytest.fail("the sandbox has no running single-container pod with a shell")


def _terminal_text(page: Page) -> str:
    return page.locator(".xterm-rows").inner_text()


def _wait_for_text(page: Page, text: str) -> None:
    page.wait_for_function(
        "text => (document.querySelector('.xterm-rows') || {}).innerText?.includes(text)",
        arg=text,
        timeout=SHELL_DEADLINE_MS,
    )


def test_an_sre_runs_a_command_and_sees_the_exit_status(page: Page, sign_in, running_pod):
    namespace, name = running_pod
    sign_in(page, "sre", path=f"/cloud/resource/pods/{namespace}/{name}/exec")
    tab = page.get_by_test_id("exec-tab")
    expect(tab).to_be_visible()
    page.get_by_test_id("exec-open").click()
    expect(page.locator(".xterm-rows")).to_be_visible(timeout=SHELL_DEADLINE_MS)
    expect(page.get_by_test_id("exec-state")).to_have_text("open", timeout=SHELL_DEADLINE_MS)
    page.locator(".xterm-helper-textarea").focus()
    page.keyboard.type("echo hel''lo")  # the echoed command line says hel''lo; only the output says hello
    page.keyboard.press("Enter")
    _wait_for_text(page, "hello")
    assert any(line.strip() == "hello" for line in _terminal_text(page).splitlines()), _terminal_text(page)
    page.keyboard.type("exit 3")
    page.keyboard.press("Enter")
    _wait_for_text(page, "Process exited with code 3")
    expect(page.get_by_test_id("exec-state")).to_have_text("exited")


def test_a_viewer_is_not_offered_a_shell(page: Page, sign_in, running_pod):
    namespace, name = running_pod
    sign_in(page, "viewer", path=f"/cloud/resource/pods/{namespace}/{name}/exec")
    expect(page.get_by_test_id("exec-no-access")).to_have_text(
        "You need tier-developer or higher to open a shell session."
    )
    expect(page.get_by_test_id("exec-open")).to_have_count(0)
