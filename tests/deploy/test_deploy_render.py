"""deploy/ renders with kustomize (base, each component, all of them) into what the console needs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from deploy_manifests import BASE, COMPONENTS, DEPLOY, find, overlay, parse, render

from console.settings import get_settings

IMAGE = "ghcr.io/openova-io/sovereign-console:0.1.0"
SELECTOR = {"app.kubernetes.io/name": "sovereign-console", "app.kubernetes.io/instance": "sovereign-console"}


@pytest.fixture(scope="module")
def base() -> list[dict]:
    return parse(render(BASE))


def _console(docs: list[dict]) -> dict:
    deployment = find(docs, "Deployment", "sovereign-console")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


def test_base_renders_every_object_in_catalyst_system(base: list[dict]) -> None:
    kinds = sorted({doc["kind"] for doc in base})
    assert kinds == sorted(
        {
            "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
            "ServiceAccount", "ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "NetworkPolicy",
            "Ingress", "HTTPRoute",
        }
    )  # fmt: skip
    cluster_scoped = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
    for doc in base:
        expected = None if doc["kind"] in cluster_scoped else "catalyst-system"
        assert doc["metadata"].get("namespace") == expected, doc["metadata"]["name"]
    # the CRD is the one shipped in deploy/crds, unchanged
    shipped = yaml.safe_load((DEPLOY / "crds" / "useraccess.yaml").read_text())
    assert find(base, "CustomResourceDefinition", "useraccesses.access.openova.io")["spec"] == shipped["spec"]


def test_the_workload(base: list[dict]) -> None:
    deployment = find(base, "Deployment", "sovereign-console")
    spec, pod = deployment["spec"], deployment["spec"]["template"]["spec"]
    assert spec["replicas"] == 2
    assert spec["selector"]["matchLabels"] == SELECTOR
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels.items() >= SELECTOR.items() and labels["app.kubernetes.io/part-of"] == "catalyst"
    assert pod["serviceAccountName"] == "sovereign-console"
    assert {c["topologyKey"] for c in pod["topologySpreadConstraints"]} == {
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
    }
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    console = _console(base)
    assert console["image"] == IMAGE
    assert "command" not in console  # the image's entry point: `console run`
    assert console["ports"] == [{"name": "http", "containerPort": 3000, "protocol": "TCP"}]
    assert console["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert console["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert set(console["resources"]["requests"]) == set(console["resources"]["limits"]) == {"cpu", "memory"}
    assert "initContainers" not in pod  # the image carries its exported front end: nothing is prepared at start
    for container in [console]:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["image"] == IMAGE
    mounts = {mount["mountPath"]: mount["name"] for mount in console["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    settings = find(base, "ConfigMap", "sovereign-console-settings")["data"]
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert set(mounts) == {"/tmp", settings["CONSOLE_STATE_DIR"], "/var/run/secrets/sovereign-console"}
    assert mounts[settings["CONSOLE_STATE_DIR"]] in volumes
    # settings by reference: the ConfigMap, and the Secret mounted as files (never in the environment)
    assert console["envFrom"] == [{"configMapRef": {"name": "sovereign-console-settings"}}]
    env = {e["name"]: e.get("value") for e in console["env"]}
    secrets = volumes[mounts["/var/run/secrets/sovereign-console"]]["secret"]
    assert secrets["secretName"] == "sovereign-console-oidc"
    for name in ("OIDC_CLIENT_SECRET", "CONSOLE_SESSION_SECRET"):
        assert env[f"{name}_FILE"] == f"/var/run/secrets/sovereign-console/{name}" and name not in env
        assert {"key": name, "path": name} in secrets["items"]


def test_the_settings_are_the_readme_variables(base: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = find(base, "ConfigMap", "sovereign-console-settings")["data"]
    readme = (DEPLOY.parent / "README.md").read_text()
    for name in settings:
        assert f"`{name}`" in readme, name
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        read = get_settings()  # the console accepts every value shipped
        assert read.console_namespace == "catalyst-system"
        assert read.state_dir == settings["CONSOLE_STATE_DIR"]
        assert read.port == 3000
    finally:
        get_settings.cache_clear()


def test_the_routes(base: list[dict]) -> None:
    service = find(base, "Service", "sovereign-console")
    assert service["spec"]["selector"] == SELECTOR
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]
    budget = find(base, "PodDisruptionBudget", "sovereign-console")["spec"]
    assert budget == {"minAvailable": 1, "selector": {"matchLabels": SELECTOR}}
    ingress = find(base, "Ingress", "sovereign-console")
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "sovereign-console", "port": {"name": "http"}}
    route = find(base, "HTTPRoute", "sovereign-console")
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"]["parentRefs"][0]["kind"] == "Gateway"
    assert route["spec"]["rules"][0]["backendRefs"] == [{"name": "sovereign-console", "port": 80}]


@pytest.mark.parametrize(
    ("component", "variable", "secret"),
    [
        ("redis", "REFLEX_REDIS_URL", "sovereign-console-redis"),
        ("postgresql", "CONSOLE_DATABASE_URL", "sovereign-console-database"),
    ],
)
def test_scale_out_components_add_their_url_from_a_secret(
    tmp_path: Path, component: str, variable: str, secret: str
) -> None:
    docs = parse(render(overlay(tmp_path / component, (component,))))
    env = {e["name"]: e for e in _console(docs)["env"]}
    assert env[variable] == {"name": variable, "valueFrom": {"secretKeyRef": {"name": secret, "key": variable}}}
    assert variable not in find(docs, "ConfigMap", "sovereign-console-settings")["data"]


def test_all_components_together(tmp_path: Path) -> None:
    docs = parse(render(overlay(tmp_path / "all", COMPONENTS)))
    names = {e["name"] for e in _console(docs)["env"]}
    assert {"REFLEX_REDIS_URL", "CONSOLE_DATABASE_URL", "OIDC_CLIENT_SECRET_FILE"} <= names
    annotations = find(docs, "Deployment", "sovereign-console")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["instrumentation.opentelemetry.io/inject-python"] == "true"
    assert annotations["prometheus.io/scrape"] == "true"  # the base's survive the component's
    policy = find(docs, "CiliumNetworkPolicy", "sovereign-console")
    assert policy["spec"]["ingress"][0]["authentication"] == {"mode": "required"}


def test_the_blueprint_points_at_what_renders(base: list[dict]) -> None:
    blueprint = yaml.safe_load((DEPLOY / "blueprint.yaml").read_text())
    assert blueprint["apiVersion"] == "catalyst.openova.io/v1" and blueprint["kind"] == "Blueprint"
    assert blueprint["metadata"]["name"].startswith("bp-")
    spec = blueprint["spec"]
    assert spec["card"]["title"]
    assert spec["version"] == IMAGE.rsplit(":", 1)[1]
    assert _console(base)["image"].endswith(":" + spec["version"])
    source = spec["manifests"]["source"]
    assert source["kind"] == "Kustomize"
    assert (DEPLOY / source["ref"]).resolve() == BASE
    for ref in spec["manifests"]["overlays"]:
        component = yaml.safe_load((DEPLOY / ref / "kustomization.yaml").read_text())
        assert component["kind"] == "Component", ref
    assert set(spec["placementSchema"]["modes"]) <= {
        "singleton",
        "active-active",
        "active-hot-standby",
        "active-passive",
    }
    assert spec["allowedPlacements"] == ["host"]
