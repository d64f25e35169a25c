"""Every `kubectl create <kind>` subcommand, whose typed client sends protobuf, against the sandbox: the
object reads back (`kubectl get -o json`) as kubectl meant it. Also the other typed-client writers
(`kubectl run`, `expose`, `autoscale`, `create token`) and the decoder's handling of a kind it does not know."""

from __future__ import annotations

import base64
import datetime
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubectl_runner import Kubectl
from sovereign_sandbox.apiserver.protobuf import PROTOBUF
from sovereign_sandbox.apiserver.server import Sandbox

Obj = dict[str, Any]


@pytest.fixture
def ns(kubectl: Kubectl) -> str:
    name = f"pb-{uuid.uuid4().hex[:8]}"
    assert kubectl.run("create", "namespace", name).stdout.strip() == f"namespace/{name} created"
    return name


def _get(kubectl: Kubectl, *args: str) -> Obj:
    return json.loads(kubectl.run("get", *args, "-o", "json").stdout)


def _containers(obj: Obj, *path: str) -> list[Obj]:
    node: Any = obj
    for key in path:
        node = node[key]
    return node["spec"]["containers"]


# (kubectl create arguments after the kind, `kubectl get` target, check of the object read back)
CASES: list[tuple[str, list[str], str, Callable[[Obj], Any]]] = [
    (
        "role",
        ["role", "readers", "--verb=get,list", "--resource=pods,deployments.apps", "--resource-name=web"],
        "role/readers",
        lambda obj: (
            obj["rules"]
            == [
                {"apiGroups": [""], "resources": ["pods"], "resourceNames": ["web"], "verbs": ["get", "list"]},
                {
                    "apiGroups": ["apps"],
                    "resources": ["deployments"],
                    "resourceNames": ["web"],
                    "verbs": ["get", "list"],
                },
            ]
        ),
    ),
    (
        "rolebinding",
        ["rolebinding", "readers", "--role=readers", "--user=alice", "--group=devs", "--serviceaccount=kube-system:x"],
        "rolebinding/readers",
        lambda obj: (
            obj["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "readers"}
            and [(subject["kind"], subject["name"]) for subject in obj["subjects"]]
            == [("User", "alice"), ("Group", "devs"), ("ServiceAccount", "x")]
            and obj["subjects"][2]["namespace"] == "kube-system"
        ),
    ),
    (
        "service clusterip",
        ["service", "clusterip", "web", "--tcp=80:8080", "--tcp=443:8443"],
        "service/web",
        lambda obj: (
            obj["spec"]["type"] == "ClusterIP"
            and [(port["name"], port["port"], port["targetPort"], port["protocol"]) for port in obj["spec"]["ports"]]
            == [("80-8080", 80, 8080, "TCP"), ("443-8443", 443, 8443, "TCP")]
            and obj["spec"]["selector"] == {"app": "web"}
        ),
    ),
    (
        "service nodeport",
        ["service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"],
        "service/np",
        lambda obj: obj["spec"]["type"] == "NodePort" and obj["spec"]["ports"][0]["nodePort"] == 30080,
    ),
    (
        "service loadbalancer",
        ["service", "loadbalancer", "lb", "--tcp=443:8443"],
        "service/lb",
        lambda obj: obj["spec"]["type"] == "LoadBalancer" and obj["spec"]["ports"][0]["targetPort"] == 8443,
    ),
    (
        "service externalname",
        ["service", "externalname", "ext", "--external-name=db.example.com"],
        "service/ext",
        lambda obj: (obj["spec"]["type"], obj["spec"]["externalName"]) == ("ExternalName", "db.example.com"),
    ),
    (
        "poddisruptionbudget",
        ["poddisruptionbudget", "web", "--selector=app=web", "--min-available=50%"],
        "pdb/web",
        lambda obj: obj["spec"] == {"minAvailable": "50%", "selector": {"matchLabels": {"app": "web"}}},
    ),
    (
        "poddisruptionbudget max-unavailable 0",
        ["poddisruptionbudget", "strict", "--selector=app=db", "--max-unavailable=0"],
        "pdb/strict",
        lambda obj: obj["spec"]["maxUnavailable"] == 0,  # a pointer: zero is kept
    ),
    (
        "job",
        ["job", "once", "--image=busybox:1.36", "--", "echo", "hi"],
        "job/once",
        lambda obj: (
            _containers(obj, "spec", "template")[0]
            == {"name": "once", "image": "busybox:1.36", "command": ["echo", "hi"], "resources": {}}
            and obj["spec"]["template"]["spec"]["restartPolicy"] == "Never"
        ),
    ),
    (
        "cronjob",
        ["cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--restart=OnFailure", "--", "date"],
        "cronjob/tick",
        lambda obj: (
            obj["spec"]["schedule"] == "*/5 * * * *"
            and _containers(obj, "spec", "jobTemplate", "spec", "template")[0]["command"] == ["date"]
            and obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
        ),
    ),
    (
        "ingress",
        [
            "ingress",
            "shop",
            "--class=cilium",
            "--rule=shop.example.com/api*=api:8080,tls=shop-tls",
            "--annotation=example.com/team=web",
            "--default-backend=web:http",
        ],
        "ingress/shop",
        lambda obj: (
            obj["spec"]["ingressClassName"] == "cilium"
            and obj["metadata"]["annotations"] == {"example.com/team": "web"}
            and obj["spec"]["defaultBackend"] == {"service": {"name": "web", "port": {"name": "http"}}}
            and obj["spec"]["rules"]
            == [
                {
                    "host": "shop.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/api",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "api", "port": {"number": 8080}}},
                            }
                        ]
                    },
                }
            ]
            and obj["spec"]["tls"] == [{"hosts": ["shop.example.com"], "secretName": "shop-tls"}]
        ),
    ),
    (
        "quota",
        ["quota", "compute", "--hard=cpu=2,memory=4Gi,pods=10", "--scopes=NotBestEffort"],
        "quota/compute",
        lambda obj: obj["spec"] == {"hard": {"cpu": "2", "memory": "4Gi", "pods": "10"}, "scopes": ["NotBestEffort"]},
    ),
    (
        "deployment",
        ["deployment", "web", "--image=nginx:1.27", "--image=busybox:1.36", "--port=8080", "--replicas=3"],
        "deployment/web",
        lambda obj: (
            obj["spec"]["replicas"] == 3
            and obj["spec"]["selector"] == {"matchLabels": {"app": "web"}}
            and [(c["name"], c["image"]) for c in _containers(obj, "spec", "template")]
            == [("nginx", "nginx:1.27"), ("busybox", "busybox:1.36")]
            and _containers(obj, "spec", "template")[0]["ports"] == [{"containerPort": 8080}]
        ),
    ),
    (
        "deployment with zero replicas",
        ["deployment", "idle", "--image=nginx:1.27", "--replicas=0"],
        "deployment/idle",
        lambda obj: obj["spec"]["replicas"] == 0,
    ),
    (
        "secret generic",
        ["secret", "generic", "creds", "--from-literal=user=admin", "--from-literal=password=s3cret", "--type=Opaque"],
        "secret/creds",
        lambda obj: (
            obj["type"] == "Opaque"
            and {key: base64.b64decode(value).decode() for key, value in obj["data"].items()}
            == {"user": "admin", "password": "s3cret"}
        ),
    ),
    (
        "secret docker-registry",
        [
            "secret",
            "docker-registry",
            "pull",
            "--docker-server=r.example.com",
            "--docker-username=u",
            "--docker-password=p",
        ],
        "secret/pull",
        lambda obj: (
            obj["type"] == "kubernetes.io/dockerconfigjson"
            and json.loads(base64.b64decode(obj["data"][".dockerconfigjson"]))["auths"]["r.example.com"]["username"]
            == "u"
        ),
    ),
    (
        "configmap",
        ["configmap", "settings", "--from-literal=LOG_LEVEL=debug", "--from-literal=EMPTY="],
        "configmap/settings",
        lambda obj: obj["data"] == {"LOG_LEVEL": "debug", "EMPTY": ""},
    ),
    (
        "serviceaccount",
        ["serviceaccount", "robot"],
        "serviceaccount/robot",
        lambda obj: obj["metadata"]["name"] == "robot",
    ),
]


@pytest.mark.parametrize("args,target,check", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_kubectl_create_sends_protobuf_the_sandbox_reads(
    kubectl: Kubectl, ns: str, args: list[str], target: str, check: Callable[[Obj], Any]
) -> None:
    created = kubectl.run("create", "-n", ns, *args)
    assert created.stdout.strip().endswith("created"), created.stdout
    obj = _get(kubectl, target, "-n", ns)
    assert check(obj), json.dumps(obj, indent=1)


CLUSTER_CASES: list[tuple[str, list[str], str, Callable[[Obj], Any]]] = [
    (
        "clusterrole",
        ["clusterrole", "pb-node-reader", "--verb=get", "--resource=nodes", "--non-resource-url=/logs/*"],
        "clusterrole/pb-node-reader",
        lambda obj: (
            obj["rules"]
            == [
                {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]},
                {"nonResourceURLs": ["/logs/*"], "verbs": ["get"]},
            ]
        ),
    ),
    (
        "clusterrole aggregated",
        ["clusterrole", "pb-monitoring", "--aggregation-rule=rbac.example.com/aggregate-to-monitoring=true"],
        "clusterrole/pb-monitoring",
        lambda obj: (
            obj["aggregationRule"]
            == {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate-to-monitoring": "true"}}]}
        ),
    ),
    (
        "clusterrolebinding",
        ["clusterrolebinding", "pb-node-readers", "--clusterrole=pb-node-reader", "--group=ops"],
        "clusterrolebinding/pb-node-readers",
        lambda obj: obj["roleRef"]["name"] == "pb-node-reader" and obj["subjects"][0]["name"] == "ops",
    ),
    (
        "priorityclass",
        ["priorityclass", "pb-low", "--value=-10", "--description=batch", "--preemption-policy=Never"],
        "priorityclass/pb-low",
        lambda obj: (
            (obj["value"], obj["description"], obj["preemptionPolicy"], obj.get("globalDefault", False))
            == (-10, "batch", "Never", False)
        ),
    ),
    (
        "priorityclass with value 0",
        ["priorityclass", "pb-zero", "--value=0"],
        "priorityclass/pb-zero",
        lambda obj: obj["value"] == 0,  # `json:"value"` without omitempty: zero is kept
    ),
]


@pytest.mark.parametrize(
    "args,target,check", [case[1:] for case in CLUSTER_CASES], ids=[case[0] for case in CLUSTER_CASES]
)
def test_kubectl_create_cluster_scoped_kinds(
    kubectl: Kubectl, args: list[str], target: str, check: Callable[[Obj], Any]
) -> None:
    kubectl.run("delete", target, "--ignore-not-found")
    assert kubectl.run("create", *args).stdout.strip().endswith("created")
    try:
        obj = _get(kubectl, target)
        assert check(obj), json.dumps(obj, indent=1)
    finally:
        kubectl.run("delete", target, "--ignore-not-found")


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_kubectl_create_secret_tls(kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    cert_path, key_path = _certificate(tmp_path)
    kubectl.run("create", "secret", "tls", "shop-tls", "-n", ns, f"--cert={cert_path}", f"--key={key_path}")
    secret = _get(kubectl, "secret/shop-tls", "-n", ns)
    assert secret["type"] == "kubernetes.io/tls"
    assert base64.b64decode(secret["data"]["tls.crt"]) == cert_path.read_bytes()
    assert base64.b64decode(secret["data"]["tls.key"]) == key_path.read_bytes()


def test_kubectl_create_job_from_a_cronjob_copies_its_whole_template(kubectl: Kubectl) -> None:
    """`--from=cronjob/…` sends the seeded CronJob's full pod template (probes, volumes, security context)."""
    cron_job = _get(kubectl, "cronjob/wordpress-cron", "-n", "acme-dev-wordpress")
    name = f"manual-{uuid.uuid4().hex[:6]}"
    kubectl.run("create", "job", name, "-n", "acme-dev-wordpress", "--from=cronjob/wordpress-cron")
    try:
        job = _get(kubectl, f"job/{name}", "-n", "acme-dev-wordpress")
        assert job["metadata"]["annotations"] == {"cronjob.kubernetes.io/instantiate": "manual"}
        assert job["metadata"]["ownerReferences"][0]["uid"] == cron_job["metadata"]["uid"]
        wanted = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert job["spec"]["template"]["spec"] == wanted
    finally:
        kubectl.run("delete", f"job/{name}", "-n", "acme-dev-wordpress", "--wait=false")


def test_run_expose_and_autoscale(kubectl: Kubectl, ns: str) -> None:
    kubectl.run("run", "probe", "-n", ns, "--image=nginx:1.27", "--labels=app=probe", "--env=MODE=test", "--port=80")
    pod = _get(kubectl, "pod/probe", "-n", ns)
    assert pod["spec"]["containers"][0]["env"] == [{"name": "MODE", "value": "test"}]
    kubectl.run("create", "deployment", "api", "-n", ns, "--image=nginx:1.27", "--port=80")
    kubectl.run("expose", "deployment", "api", "-n", ns, "--port=8080", "--target-port=80")
    service = _get(kubectl, "service/api", "-n", ns)
    assert service["spec"]["ports"] == [{"port": 8080, "protocol": "TCP", "targetPort": 80}]
    assert service["spec"]["selector"] == {"app": "api"}
    kubectl.run("autoscale", "deployment", "api", "-n", ns, "--min=2", "--max=5", "--cpu=70%")
    autoscaler = _get(kubectl, "hpa/api", "-n", ns)
    assert autoscaler["apiVersion"] == "autoscaling/v2"
    assert (autoscaler["spec"]["minReplicas"], autoscaler["spec"]["maxReplicas"]) == (2, 5)
    assert autoscaler["spec"]["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    legacy = _get(kubectl, "horizontalpodautoscalers.v1.autoscaling/api", "-n", ns)
    assert legacy["apiVersion"] == "autoscaling/v1"
    assert legacy["spec"]["targetCPUUtilizationPercentage"] == 70


def test_kubectl_create_token_is_accepted_as_the_service_account(kubectl: Kubectl, ns: str) -> None:
    kubectl.run("create", "serviceaccount", "robot", "-n", ns)
    token = kubectl.run("create", "token", "robot", "-n", ns, "--duration=20m").stdout.strip()
    header, claims, _signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    assert payload["sub"] == f"system:serviceaccount:{ns}:robot"
    assert payload["exp"] - payload["iat"] == 1200
    whoami = json.loads(kubectl.run("auth", "whoami", f"--token={token}", "-o", "json").stdout)
    assert whoami["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:robot"
    missing = kubectl.run("create", "token", "nobody", "-n", ns, check=False)
    assert missing.returncode != 0
    assert 'serviceaccounts "nobody" not found' in missing.stderr


def test_protobuf_of_a_kind_nothing_decodes_is_415(sandbox: Sandbox) -> None:
    """The envelope names a kind the schema table does not hold (an extension's own type)."""
    type_meta = b"\n\x14example.com/v1alpha1\x12\x06Gadget"
    envelope = b"k8s\x00" + b"\n" + bytes([len(type_meta)]) + type_meta + b"\x12\x00"
    response = httpx.post(
        f"{sandbox.http_url}/api/v1/namespaces/default/configmaps",
        content=envelope,
        headers={"Content-Type": PROTOBUF},
    )
    assert response.status_code == 415, response.text
    assert response.json()["reason"] == "UnsupportedMediaType"
