"""exec over WebSocket through kubectl (also with a tty), the Python client and a raw `websockets` client."""

from __future__ import annotations

import asyncio
import json
import os
import pty
import select
import ssl
import subprocess
import time
from urllib.parse import urlencode

import httpx
import pytest
from kubernetes import client, config
from kubernetes.stream import stream
from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.node.containers import image_traits
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

pytestmark = [pytest.mark.sandbox]


def _running(pod: dict) -> bool:
    statuses = pod["status"].get("containerStatuses") or [{}]
    return (
        pod["status"].get("phase") == "Running"
        and len(pod["spec"]["containers"]) == 1
        and all("running" in (status.get("state") or {}) for status in statuses)
    )


def _with_shells(*shells: str):
    return lambda pod: _running(pod) and image_traits(pod["spec"]["containers"][0]["image"]).shells == shells


def test_echo_and_exit_codes(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    hello = kubectl.run("exec", "-n", namespace, name, "--", "echo", "hello")
    assert hello.stdout == "hello\n"
    failed = kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", "exit 3", check=False)
    assert failed.returncode == 3
    assert "command terminated with exit code 3" in failed.stderr
    missing = kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", "nosuchtool", check=False)
    assert missing.returncode == 127
    assert "sh: nosuchtool: not found" in missing.stderr


def test_bash_exists_only_in_some_images(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    absent = kubectl.run("exec", "-n", namespace, name, "--", "bash", "-c", "echo no", check=False)
    assert absent.returncode == 126
    assert 'exec: "bash": executable file not found in $PATH' in absent.stderr
    probe = "command -v bash >/dev/null && exec bash || exec sh"
    shell = kubectl.run("exec", "-i", "-n", namespace, name, "--", "sh", "-c", probe, stdin="echo $0\n")
    assert shell.stdout == "sh\n"
    namespace, name, _ = pod_where(_with_shells("sh", "bash"))
    present = kubectl.run("exec", "-n", namespace, name, "--", "bash", "-c", "echo $0 in $PWD")
    assert present.stdout.startswith("bash in")
    shell = kubectl.run(
        "exec", "-i", "-n", namespace, name, "--", "sh", "-c", probe, stdin="echo $0\nexit 5\n", check=False
    )
    assert (shell.stdout, shell.returncode) == ("bash\n", 5)
    namespace, name, _ = pod_where(_with_shells())
    distroless = kubectl.run("exec", "-n", namespace, name, "--", "sh", check=False)
    assert distroless.returncode == 126


def test_shell_sees_the_pod(kubectl, pod_where) -> None:
    namespace, name, pod = pod_where(lambda pod: _with_shells("sh")(pod) and "storefront" in str(pod["spec"]))
    script = (
        "hostname; cat /etc/hostname; ls /etc/app | head -1; echo $HOSTNAME; id -u; cd /nope; echo $?; ps | head -2"
    )
    result = kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", script)
    lines = result.stdout.splitlines()
    assert lines[:2] == [name, name]
    assert lines[3] == name
    assert lines[4].isdigit() and lines[4] != "0"  # the image's user, never root
    assert lines[5] == "2"
    header = lines[6].split()
    assert header[:2] == ["PID", "USER"] and header[-1] == "COMMAND"
    assert "can't cd to /nope" in result.stderr


def _writable_root(pod: dict) -> bool:
    return not (pod["spec"]["containers"][0].get("securityContext") or {}).get("readOnlyRootFilesystem")


@pytest.mark.parametrize("shells", [("sh",), ("sh", "bash")], ids=["busybox-sh", "dash"])
def test_a_real_shell_runs_the_everyday_lines(kubectl, pod_where, shells) -> None:
    namespace, name, _ = pod_where(_with_shells(*shells))
    script = (
        'greet() { echo "hi $1"; }; greet "$(hostname)"; echo $((6 * 7)); '
        'for n in 3 1 2; do echo $n; done | sort | tr "\\n" " "; echo; '
        "case $HOSTNAME in *-*) echo dashed ;; *) echo plain ;; esac; seq 2 | cut -c1; "
        "if [ -d /proc/1 ]; then echo has-proc; fi; while read -r word; do echo got-$word; done <<EOF\nheredoc\nEOF"
    )
    result = kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", script)
    assert result.stdout == f"hi {name}\n42\n1 2 3 \ndashed\n1\n2\nhas-proc\ngot-heredoc\n"


def test_a_container_keeps_its_files_between_execs(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(lambda pod: _with_shells("sh", "bash")(pod) and _writable_root(pod))
    kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", "mkdir -p /data && echo kept > /data/note")
    again = kubectl.run("exec", "-n", namespace, name, "--", "cat", "/data/note")
    assert again.stdout == "kept\n"


def test_a_read_only_root_filesystem_is_read_only(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(lambda pod: _with_shells("sh", "bash")(pod) and not _writable_root(pod))
    script = "touch /x 2>/dev/null || echo refused; touch /tmp/x && echo tmp-ok"
    result = kubectl.run("exec", "-n", namespace, name, "--", "sh", "-c", script)
    assert result.stdout == "refused\ntmp-ok\n"


def test_no_network_inside(kubectl, pod_where, sandbox) -> None:
    namespace, name, _ = pod_where(_with_shells("sh", "bash"))
    port = sandbox.https_url.rsplit(":", 1)[1]  # the API server itself, on this machine's loopback
    script = f"(exec 3<>/dev/tcp/127.0.0.1/{port}) 2>/dev/null && echo reached || echo refused"
    assert kubectl.run("exec", "-n", namespace, name, "--", "bash", "-c", script).stdout == "refused\n"


def test_errors_before_the_upgrade(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_running)
    gone = kubectl.run("exec", "-n", namespace, "no-such-pod", "--", "true", check=False)
    assert 'pods "no-such-pod" not found' in gone.stderr
    wrong = kubectl.run("exec", "-n", namespace, name, "-c", "nope", "--", "true", check=False)
    assert f"container nope is not valid for pod {name}" in wrong.stderr


def test_interactive_tty(kubectl, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*kubectl.base, "exec", "-it", "-n", namespace, name, "--", "sh"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    seen = b""

    def until(wanted: bytes) -> None:
        nonlocal seen
        deadline = time.monotonic() + 15
        while wanted not in seen:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{wanted!r} not in {seen!r}"
            ready, _, _ = select.select([controller], [], [], remaining)
            if ready:
                try:
                    seen += os.read(controller, 4096)
                except OSError:
                    break

    try:
        until(b"/ $ ")
        os.write(controller, b"echo hi\r")
        until(b"\r\nhi\r\n")
        os.write(controller, b"exit\r")
        assert process.wait(15) == 0
    finally:
        process.kill()
        os.close(controller)


def test_python_client_stream(core: client.CoreV1Api, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh", "bash"))
    assert (
        stream(
            core.connect_get_namespaced_pod_exec,
            name,
            namespace,
            command=["echo", "hello"],
            stderr=True,
            stdin=False,
            stdout=True,
            tty=False,
        )
        == "hello\n"
    )
    response = stream(
        core.connect_get_namespaced_pod_exec,
        name,
        namespace,
        command=["sh", "-c", "echo out; echo err >&2; exit 4"],
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
        _preload_content=False,
    )
    response.run_forever(timeout=10)
    assert (response.read_stdout(), response.read_stderr(), response.returncode) == ("out\n", "err\n", 4)
    interactive = stream(
        core.connect_get_namespaced_pod_exec,
        name,
        namespace,
        command=["cat"],
        stderr=True,
        stdin=True,
        stdout=True,
        tty=False,
        _preload_content=False,
    )
    interactive.write_stdin("typed text\n")  # a TEXT frame
    deadline = time.monotonic() + 10
    output = ""
    while "typed text" not in output and time.monotonic() < deadline:
        interactive.update(timeout=1)
        output += interactive.read_stdout() if interactive.peek_stdout() else ""
    assert output == "typed text\n"
    interactive.close()


def _websocket_url(sandbox, namespace: str, name: str, action: str = "exec", **query: str) -> str:
    path = f"/api/v1/namespaces/{namespace}/pods/{name}/{action}?{urlencode(query)}"
    return sandbox.https_url.replace("https://", "wss://") + path


def _tls(sandbox) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(sandbox.ca_path))


async def test_raw_v5_protocol(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    url = _websocket_url(sandbox, namespace, name, command="cat", stdin="true", stdout="true", stderr="true")
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    async with connect(
        url, subprotocols=["v5.channel.k8s.io", "v4.channel.k8s.io"], additional_headers=headers, ssl=_tls(sandbox)
    ) as websocket:
        assert websocket.subprotocol == "v5.channel.k8s.io"
        assert await websocket.recv() == b"\x01"  # the readiness frame
        await (await websocket.ping())
        await websocket.send(b"\x04" + json.dumps({"Width": 120, "Height": 40}).encode())
        await websocket.send(b"\x00hello\n")
        assert await websocket.recv() == b"\x01hello\n"
        await websocket.send(b"\xff\x00")  # stdin closed: cat ends
        status = await websocket.recv()
        assert status[0] == 3 and json.loads(status[1:]) == {"metadata": {}, "status": "Success"}
        await websocket.wait_closed()
        assert websocket.close_code == 1000


async def test_raw_tty_resize_and_v4_failure_status(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    url = _websocket_url(sandbox, namespace, name, command="sh", stdin="true", stdout="true", tty="true")
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    async with connect(
        url, subprotocols=["v4.channel.k8s.io"], additional_headers=headers, ssl=_tls(sandbox)
    ) as websocket:
        assert websocket.subprotocol == "v4.channel.k8s.io"
        await websocket.send(b"\x04" + json.dumps({"Width": 132, "Height": 43}).encode())
        await websocket.send(b"\x00stty size; exit 7\r")
        output = b""
        while not output.endswith(b"\r\n") or b"43 132" not in output:
            message = await websocket.recv()
            assert message[0] == 1
            output += message[1:]
        status = json.loads((await websocket.recv())[1:])
        assert status["reason"] == "NonZeroExitCode"
        assert status["details"]["causes"] == [{"reason": "ExitCode", "message": "7"}]


async def test_no_isolation_is_answered_with_a_failure_status(sandbox, pod_where, monkeypatch, tmp_path) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    monkeypatch.setenv("PATH", str(tmp_path))  # this machine without bubblewrap
    url = _websocket_url(sandbox, namespace, name, command="sh", stdout="true")
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    async with connect(
        url, subprotocols=["v5.channel.k8s.io"], additional_headers=headers, ssl=_tls(sandbox)
    ) as websocket:
        assert await websocket.recv() == b"\x01"
        status = await websocket.recv()
    assert status[0] == 3
    assert json.loads(status[1:]) == {
        "metadata": {},
        "status": "Failure",
        "message": "cannot start an isolated shell: bubblewrap (bwrap) is not installed",
        "reason": "InternalError",
        "code": 500,
    }


async def test_websocket_authentication(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    url = _websocket_url(sandbox, namespace, name, command="true", stdout="true")
    with pytest.raises(InvalidStatus) as raised:
        async with connect(
            url,
            subprotocols=["v5.channel.k8s.io"],
            additional_headers={"Authorization": "Bearer nope"},
            ssl=_tls(sandbox),
        ):
            pass
    assert raised.value.response.status_code == 401


def test_spdy_is_refused_with_a_status(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    url = f"{sandbox.http_url}/api/v1/namespaces/{namespace}/pods/{name}/exec?command=true&stdout=true"
    response = httpx.post(url, headers={"Connection": "Upgrade", "Upgrade": "SPDY/3.1"})
    assert response.status_code == 400
    assert response.json()["reason"] == "BadRequest"
    assert "Upgrade request required" in response.json()["message"]


async def test_rbac_needs_get_and_create(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(_with_shells("sh"))
    token = f"exec-tester-{time.monotonic_ns()}"
    sandbox.cluster.tokens[token] = User("exec-tester")
    rbac = client.RbacAuthorizationV1Api(client.ApiClient(_admin_configuration(sandbox)))
    url = _websocket_url(sandbox, namespace, name, command="true", stdout="true")

    async def refusal() -> str:
        with pytest.raises(InvalidStatus) as raised:
            async with connect(
                url,
                subprotocols=["v5.channel.k8s.io"],
                ssl=_tls(sandbox),
                additional_headers={"Authorization": f"Bearer {token}"},
            ):
                pass
        assert raised.value.response.status_code == 403
        return json.loads(raised.value.response.body)["message"]

    prefix = f'pods "{name}" is forbidden: User "exec-tester" cannot'
    suffix = f'resource "pods/exec" in API group "" in the namespace "{namespace}"'
    assert await refusal() == f"{prefix} get {suffix}"
    role = client.V1Role(
        metadata=client.V1ObjectMeta(name="exec-tester"),
        rules=[client.V1PolicyRule(api_groups=[""], resources=["pods/exec"], verbs=["get"])],
    )
    rbac.create_namespaced_role(namespace, role)
    rbac.create_namespaced_role_binding(
        namespace,
        client.V1RoleBinding(
            metadata=client.V1ObjectMeta(name="exec-tester"),
            role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role", name="exec-tester"),
            subjects=[client.RbacV1Subject(api_group="rbac.authorization.k8s.io", kind="User", name="exec-tester")],
        ),
    )
    try:
        assert await refusal() == f"{prefix} create {suffix}"
        role.rules[0].verbs = ["get", "create"]
        rbac.replace_namespaced_role("exec-tester", namespace, role)
        async with connect(
            url,
            subprotocols=["v5.channel.k8s.io"],
            ssl=_tls(sandbox),
            additional_headers={"Authorization": f"Bearer {token}"},
        ) as websocket:
            assert await websocket.recv() == b"\x01"
            assert json.loads((await websocket.recv())[1:])["status"] == "Success"
    finally:
        rbac.delete_namespaced_role_binding("exec-tester", namespace)
        rbac.delete_namespaced_role("exec-tester", namespace)


def _admin_configuration(sandbox) -> client.Configuration:
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(sandbox.kubeconfig_path), client_configuration=configuration)
    return configuration


async def test_attach_streams_the_main_process(sandbox, pod_where) -> None:
    namespace, name, _ = pod_where(lambda pod: _with_shells("sh")(pod) and "storefront" in str(pod["spec"]))
    url = _websocket_url(sandbox, namespace, name, "attach", stdout="true", stderr="true")
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    async with connect(
        url, subprotocols=["v5.channel.k8s.io"], additional_headers=headers, ssl=_tls(sandbox)
    ) as websocket:
        assert await websocket.recv() == b"\x01"
        line = await asyncio.wait_for(websocket.recv(), 10)
        assert line[0] == 1 and b'HTTP/1.1" ' in line
