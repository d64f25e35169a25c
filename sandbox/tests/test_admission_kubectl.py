"""What a real kube-apiserver refuses, refused the same way: pods naming a missing service account (and the
default account every namespace gets), CRDs in protected groups without an approval, and paths nothing
serves (a plain-text 404).

Driven through the real kubectl with raw HTTPS checks of the bodies; waits are watches with deadlines.
"""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from kubectl_runner import Kubectl
from sovereign_sandbox.apiserver.server import Sandbox

# ServiceAccount admission and the default account of every namespace.

_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def _missing_account(namespace: str, name: str) -> str:
    return f'error looking up service account {namespace}/{name}: serviceaccount "{name}" not found'


def test_a_pod_naming_a_missing_service_account_is_refused(
    kubectl: Kubectl, admin_https: httpx.Client, namespace: str
) -> None:
    refused = kubectl.run(
        "run",
        "web",
        "--image=nginx",
        "-n",
        namespace,
        '--overrides={"spec":{"serviceAccountName":"ghost"}}',
        check=False,
    )
    assert refused.stderr == (
        f'Error from server (Forbidden): pods "web" is forbidden: {_missing_account(namespace, "ghost")}\n'
    )
    # The deprecated `serviceAccount` counts when `serviceAccountName` is empty; a generated name is not
    # generated yet when admission refuses, so the refusal names the prefix.
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"generateName": "web-"},
        "spec": {"serviceAccount": "phantom", "containers": [{"name": "web", "image": "nginx"}]},
    }
    answer = admin_https.post(f"/api/v1/namespaces/{namespace}/pods", json=pod)
    assert answer.status_code == 403
    assert answer.json()["message"] == f'pods "web-" is forbidden: {_missing_account(namespace, "phantom")}'
    assert answer.json()["details"] == {"name": "web-", "kind": "pods"}
    assert kubectl.run("get", "pods", "-n", namespace, "-o", "name").stdout == ""


def test_pods_get_the_default_account_and_its_token(kubectl: Kubectl, namespace: str) -> None:
    kubectl.run("run", "web", "--image=nginx", "-n", namespace)
    spec = json.loads(kubectl.run("get", "pod", "web", "-n", namespace, "-o", "json").stdout)["spec"]
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("default", "default")
    [volume] = spec["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert [source.popitem()[0] for source in volume["projected"]["sources"]] == [
        "serviceAccountToken",
        "configMap",
        "downwardAPI",
    ]
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": volume["name"], "readOnly": True, "mountPath": _TOKEN_PATH}
    ]
    kubectl.run("create", "serviceaccount", "quiet", "-n", namespace)
    kubectl.run("patch", "serviceaccount", "quiet", "-n", namespace, "-p", '{"automountServiceAccountToken":false}')
    kubectl.run("run", "calm", "--image=nginx", "-n", namespace, '--overrides={"spec":{"serviceAccountName":"quiet"}}')
    calm = json.loads(kubectl.run("get", "pod", "calm", "-n", namespace, "-o", "json").stdout)["spec"]
    assert (calm["serviceAccountName"], calm.get("volumes"), calm["containers"][0].get("volumeMounts")) == (
        "quiet",
        None,
        None,
    )


def test_every_namespace_has_a_default_service_account(kubectl: Kubectl) -> None:
    name = f"fresh-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    try:
        first = kubectl.run("get", "serviceaccount", "default", "-n", name, "-o", "jsonpath={.metadata.uid}").stdout
        assert first
        kubectl.run("delete", "serviceaccount", "default", "-n", name)
        again = kubectl.run("get", "serviceaccount", "default", "-n", name, "-o", "jsonpath={.metadata.uid}").stdout
        assert again and again != first, "the controller recreates it"
        assert kubectl.run("run", "web", "--image=nginx", "-n", name).returncode == 0
    finally:
        kubectl.run("delete", "namespace", name, "--wait=false")


def _first_event(admin_https: httpx.Client, namespace: str, reason: str) -> dict:
    """Watch the namespace's events for the first with `reason` (fails after 30 s)."""
    params = {"watch": "true", "fieldSelector": f"reason={reason}", "timeoutSeconds": "30"}
    with admin_https.stream("GET", f"/api/v1/namespaces/{namespace}/events", params=params, timeout=35) as stream:
        for line in stream.iter_lines():
            if line:
                return json.loads(line)["object"]
    raise AssertionError(f"no {reason} event in {namespace}")


def _workload(kind: str, name: str, account: str) -> dict:
    labels = {"app": name}
    spec: dict = {
        "replicas": 1,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"serviceAccountName": account, "containers": [{"name": name, "image": "nginx"}]},
        },
    }
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


def test_controllers_report_refused_pods_as_failed_create_warnings(
    kubectl: Kubectl, admin_https: httpx.Client, namespace: str
) -> None:
    kubectl.run("apply", "-n", namespace, "-f", "-", stdin=json.dumps(_workload("Deployment", "web", "ghost")))
    event = _first_event(admin_https, namespace, "FailedCreate")
    assert (event["type"], event["source"], event["involvedObject"]["kind"]) == (
        "Warning",
        {"component": "replicaset-controller"},
        "ReplicaSet",
    )
    replica_set = event["involvedObject"]["name"]
    assert replica_set.startswith("web-")
    # The controller asks with generateName only, so the refusal names the prefix (and repeats bump `count`).
    assert event["message"] == (
        f'Error creating: pods "{replica_set}-" is forbidden: {_missing_account(namespace, "ghost")}'
    )
    listed = kubectl.run("get", "events", "-n", namespace, "--field-selector=reason=FailedCreate").stdout
    assert "Warning   FailedCreate   replicaset/web-" in listed
    # Once the account exists the controller's retry (with backoff) gets the pod created.
    kubectl.run("create", "serviceaccount", "ghost", "-n", namespace)
    kubectl.run("rollout", "status", "deployment/web", "-n", namespace, "--timeout=60s")


def test_a_stateful_set_reports_the_pod_it_could_not_create(
    admin_https: httpx.Client, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.run("apply", "-n", namespace, "-f", "-", stdin=json.dumps(_workload("StatefulSet", "db", "ghost")))
    event = _first_event(admin_https, namespace, "FailedCreate")
    assert (event["source"]["component"], event["involvedObject"]["name"]) == ("statefulset-controller", "db")
    assert event["message"] == (
        'create Pod db-0 in StatefulSet db failed error: pods "db-0" is forbidden: '
        f"{_missing_account(namespace, 'ghost')}"
    )


# CustomResourceDefinitions in protected groups.

_APPROVAL = "api-approved.kubernetes.io"
_APPROVAL_REQUIRED = (
    f'metadata.annotations[{_APPROVAL}]: Required value: protected groups must have approval annotation "{_APPROVAL}", '
    "see https://github.com/kubernetes/enhancements/pull/1111"
)


def _in_group(crd: dict, group: str, approval: str | None = None) -> dict:
    crd = json.loads(json.dumps(crd))
    crd["spec"]["group"] = group
    crd["metadata"]["name"] = f"widgets.{group}"
    if approval is not None:
        crd["metadata"]["annotations"] = {_APPROVAL: approval}
    return crd


def test_crds_in_protected_groups_need_an_approval(
    kubectl: Kubectl, admin_https: httpx.Client, widgets_crd: dict, cluster_scoped: list[str]
) -> None:
    suffix = uuid.uuid4().hex[:6]
    group = f"w{suffix}.k8s.io"
    refused = kubectl.run("create", "-f", "-", stdin=json.dumps(_in_group(widgets_crd, group)), check=False)
    assert refused.stderr == (f'The CustomResourceDefinition "widgets.{group}" is invalid: {_APPROVAL_REQUIRED}\n')
    answer = admin_https.post(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        json=_in_group(widgets_crd, f"w{suffix}.kubernetes.io", "approved"),
    )
    assert answer.status_code == 422
    assert answer.json()["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": f'Invalid value: "approved": protected groups must have approval annotation "{_APPROVAL}" '
            'with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
            "field": f"metadata.annotations[{_APPROVAL}]",
        }
    ]
    accepted = [
        _in_group(widgets_crd, group, "https://github.com/kubernetes/enhancements/pull/1111"),
        _in_group(widgets_crd, "kubernetes.io", "unapproved, experimental"),
        _in_group(widgets_crd, f"w{suffix}k8s.io"),  # not a subdomain of k8s.io: no approval needed
    ]
    cluster_scoped += [f"customresourcedefinition/{crd['metadata']['name']}" for crd in accepted]
    for crd in accepted:
        kubectl.run("create", "-f", "-", stdin=json.dumps(crd))


def test_seeded_crds_in_protected_groups_carry_their_approval(kubectl: Kubectl) -> None:
    crds = json.loads(kubectl.run("get", "crd", "-o", "json").stdout)["items"]
    protected = [crd for crd in crds if crd["spec"]["group"].endswith((".k8s.io", ".kubernetes.io"))]
    assert {crd["metadata"]["name"] for crd in protected} >= {
        "gateways.gateway.networking.k8s.io",
        "httproutes.gateway.networking.k8s.io",
    }
    assert {crd["metadata"]["annotations"].get(_APPROVAL) for crd in protected} == {
        "https://github.com/kubernetes-sigs/gateway-api/pull/3328"
    }


# Paths nothing serves.


@pytest.mark.parametrize(
    "path",
    [
        "/apis/nosuch.example.com/v1/widgets",
        "/apis/nosuch.example.com/v1/namespaces/default/widgets/one",
        "/apis/nosuch.example.com/v1",
        "/apis/nosuch.example.com",
        "/apis/apps/v9/deployments",
        "/api/v9",
        "/nosuch",
    ],
)
def test_unserved_paths_answer_a_plain_text_404(admin_https: httpx.Client, path: str) -> None:
    answer = admin_https.get(path)
    assert (answer.status_code, answer.headers["content-type"], answer.text) == (
        404,
        "text/plain; charset=utf-8",
        "404 page not found\n",
    )


def test_served_groups_answer_a_status_for_unknown_resources(admin_https: httpx.Client, kubectl: Kubectl) -> None:
    for path in ("/apis/apps/v1/nosuch", "/api/v1/namespaces/default/nosuch"):
        answer = admin_https.get(path)
        assert (answer.status_code, answer.headers["content-type"]) == (404, "application/json")
        assert answer.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": "the server could not find the requested resource",
            "reason": "NotFound",
            "details": {},
            "code": 404,
        }
    unknown = kubectl.run("get", "widgets.nosuch.example.com", check=False)
    assert unknown.stderr == 'error: the server doesn\'t have a resource type "widgets" in group "nosuch.example.com"\n'
    assert kubectl.run("get", "nosuchthings", check=False).stderr == (
        'error: the server doesn\'t have a resource type "nosuchthings"\n'
    )
    raw = kubectl.run("get", "--raw", "/apis/nosuch.example.com/v1/widgets", check=False)
    assert raw.stderr == "Error from server (NotFound): the server could not find the requested resource\n"


def test_unserved_paths_are_authorized_first(sandbox: Sandbox) -> None:
    """The real server authorizes before routing: who may not list widgets there gets 403, not 404."""
    with httpx.Client(
        base_url=sandbox.https_url,
        verify=str(sandbox.ca_path),
        headers={"Authorization": f"Bearer {sandbox.persona_tokens['newcomer']}"},
    ) as newcomer:
        answer = newcomer.get("/apis/nosuch.example.com/v1/widgets")
    assert answer.status_code == 403
    assert answer.json()["message"].startswith('widgets.nosuch.example.com is forbidden: User "')
    assert answer.json()["message"].endswith(
        'cannot list resource "widgets" in API group "nosuch.example.com" at the cluster scope'
    )
