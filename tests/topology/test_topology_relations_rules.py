"""The edge rules and visual channels one object at a time: what each rule reads, and what it leaves alone."""

from __future__ import annotations

import pytest

from console.kube.kinds import Row
from console.kube.selectors import Requirement
from console.topology.relations import ObjectRef, Reference, label_selector, relations_of
from console.topology.visuals import family_of, status_of


def _obj(api_version: str, kind: str, name: str = "x", namespace: str = "ns", **fields) -> dict:
    metadata = {"name": name, "namespace": namespace, **fields.pop("metadata", {})}
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **fields}


def _references(obj: dict, shape: str = "config") -> set[Reference]:
    group = obj["apiVersion"].rpartition("/")[0]
    return set(relations_of(obj, group, obj["kind"], shape).references)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("group", "family"),
    [
        ("helm.toolkit.fluxcd.io", "flux"),
        ("source.toolkit.fluxcd.io", "flux"),
        ("pkg.crossplane.io", "crossplane"),
        ("cert-manager.io", "cert-manager"),
        ("postgresql.cnpg.io", "cnpg"),
        ("external-secrets.io", "external-secrets"),
        ("cilium.io", "cilium"),
        ("apps.openova.io", "catalyst"),
        ("catalyst.openova.io", "catalyst"),
        ("", "core"),
        ("apps", "core"),
        ("policy", "core"),
        ("gateway.networking.k8s.io", "core"),
        ("notopenova.io", "core"),
    ],
)
def test_families_follow_the_api_group(group: str, family: str):
    assert family_of(group) == family


def _row(tone: str, status: str) -> Row:
    return Row("k", "", "n", "", {}, {"status": status}, {}, tone)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tone", "status", "expected"),
    [
        ("ok", "Running", "healthy"),
        ("err", "CrashLoopBackOff", "failed"),
        ("muted", "Completed", "unknown"),
        ("info", "", "reconciling"),
        ("warn", "ContainerCreating", "reconciling"),
        ("warn", "Progressing", "reconciling"),
        ("warn", "Init:0/2", "reconciling"),
        ("warn", "Terminating", "reconciling"),
        ("warn", "NotReady", "drifted"),
        ("warn", "2/3", "drifted"),
        ("warn", "", "drifted"),
    ],
)
def test_status_comes_from_the_rows_tone_and_text(tone: str, status: str, expected: str):
    assert status_of(_row(tone, status)) == expected


def test_label_selectors_read_match_labels_expressions_and_cilium_sources():
    selector = label_selector(
        {
            "matchLabels": {"k8s:app": "web"},
            "matchExpressions": [{"key": "any:tier", "operator": "In", "values": ["a", "b"]}],
        },
        ("k8s:", "any:"),
    )
    assert selector is not None
    assert selector.requirements == (Requirement("app", "=", ("web",)), Requirement("tier", "in", ("a", "b")))
    assert selector.matches({"app": "web", "tier": "b"}) and not selector.matches({"app": "web"})
    assert label_selector({}) is not None and label_selector({}).matches({"any": "thing"})  # {} selects all
    assert label_selector(None) is None  # no selector selects nothing
    assert label_selector({"matchExpressions": [{"key": "a", "operator": "Near"}]}) is None


def test_a_service_without_a_selector_selects_nothing():
    assert relations_of(_obj("v1", "Service", spec={}), "", "Service", "network").selectors == ()
    selecting = relations_of(_obj("v1", "Service", spec={"selector": {"app": "web"}}), "", "Service", "network")
    (selector,) = selecting.selectors
    assert (selector.edge, selector.group, selector.kind) == ("selects", "", "Pod")
    assert selector.selector.matches({"app": "web", "other": "x"})


def test_a_pod_mounts_what_its_volumes_and_environment_name():
    pod = _obj(
        "v1",
        "Pod",
        spec={
            "nodeName": "node-1",
            "volumes": [
                {"name": "a", "configMap": {"name": "cm-volume"}},
                {"name": "b", "secret": {"secretName": "secret-volume"}},
                {"name": "c", "persistentVolumeClaim": {"claimName": "claim"}},
                {"name": "d", "projected": {"sources": [{"configMap": {"name": "cm-projected"}}, {"secret": {}}]}},
                {"name": "e", "emptyDir": {}},
            ],
            "initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "secret-env-from"}}]}],
            "containers": [
                {
                    "name": "c",
                    "envFrom": [{"configMapRef": {"name": "cm-env-from"}}],
                    "env": [
                        {"name": "A", "value": "1"},
                        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "secret-key", "key": "k"}}},
                        {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "cm-key", "key": "k"}}},
                        {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                }
            ],
        },
    )
    relations = relations_of(pod, "", "Pod", "compute")
    mounted = {(r.other.kind, r.other.name) for r in relations.references if r.edge == "mounts"}
    assert mounted == {
        ("ConfigMap", "cm-volume"),
        ("Secret", "secret-volume"),
        ("PersistentVolumeClaim", "claim"),
        ("ConfigMap", "cm-projected"),
        ("Secret", "secret-env-from"),
        ("ConfigMap", "cm-env-from"),
        ("Secret", "secret-key"),
        ("ConfigMap", "cm-key"),
    }
    assert Reference("runs-on", ObjectRef("", "Node", "", "node-1"), "out") in relations.references
    assert relations.node_name == "node-1"


def test_routes_default_their_kind_and_namespace():
    route = _obj(
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        spec={
            "parentRefs": [{"name": "public"}, {"name": "edge", "namespace": "gateways"}],
            "rules": [{"backendRefs": [{"name": "web"}, {"name": "other", "namespace": "elsewhere"}]}],
        },
    )
    assert _references(route) == {
        Reference("routes-to", ObjectRef("gateway.networking.k8s.io", "Gateway", "ns", "public"), "in"),
        Reference("routes-to", ObjectRef("gateway.networking.k8s.io", "Gateway", "gateways", "edge"), "in"),
        Reference("routes-to", ObjectRef("", "Service", "ns", "web"), "out"),
        Reference("routes-to", ObjectRef("", "Service", "elsewhere", "other"), "out"),
    }
    ingress = _obj(
        "networking.k8s.io/v1",
        "Ingress",
        spec={
            "defaultBackend": {"service": {"name": "fallback"}},
            "rules": [{"http": {"paths": [{"backend": {"service": {"name": "web"}}}]}}, {"host": "bare"}],
        },
    )
    assert {r.other.name for r in _references(ingress)} == {"fallback", "web"}


def test_a_claim_binds_its_class_only_until_a_volume_is_bound():
    pending = _obj("v1", "PersistentVolumeClaim", spec={"storageClassName": "fast"})
    assert _references(pending) == {Reference("binds", ObjectRef("storage.k8s.io", "StorageClass", "", "fast"), "out")}
    bound = _obj("v1", "PersistentVolumeClaim", spec={"storageClassName": "fast", "volumeName": "pv-1"})
    assert _references(bound) == {Reference("binds", ObjectRef("", "PersistentVolume", "", "pv-1"), "out")}


def test_owners_flux_labels_and_applications():
    labels = {
        "helm.toolkit.fluxcd.io/name": "web",
        "helm.toolkit.fluxcd.io/namespace": "flux-system",
        "kustomize.toolkit.fluxcd.io/name": "apps",  # no namespace label: not Flux's
        "app.kubernetes.io/instance": "web-instance",
        "openova.io/application": "web",
    }
    owned = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "controller": True}
    deployment = _obj("apps/v1", "Deployment", metadata={"labels": labels})
    relations = relations_of(deployment, "apps", "Deployment", "compute")
    assert relations.application == "web" and relations.owner is None
    assert set(relations.references) == {
        Reference("reconciles", ObjectRef("helm.toolkit.fluxcd.io", "HelmRelease", "flux-system", "web"), "in"),
        Reference("realizes", ObjectRef("apps.openova.io", "Application", "ns", "web"), "in"),
    }
    pod = _obj("v1", "Pod", metadata={"labels": labels, "ownerReferences": [owned]})
    relations = relations_of(pod, "", "Pod", "compute")
    assert relations.owner == ObjectRef("apps", "ReplicaSet", "ns", "web-1")
    assert Reference("owns", relations.owner, "in") in relations.references
    assert not any(r.edge == "realizes" for r in relations.references)  # a controlled pod is its owner's
    config = _obj("v1", "ConfigMap", metadata={"labels": labels})
    assert not any(r.edge == "realizes" for r in _references(config))  # only compute objects are realized


def test_an_application_depends_on_an_application_or_database_of_that_name():
    application = _obj("apps.openova.io/v1alpha1", "Application", spec={"dependsOn": [{"name": "db"}]})
    assert _references(application, "control") == {
        Reference("depends-on", ObjectRef("apps.openova.io", "Application", "ns", "db"), "out"),
        Reference("depends-on", ObjectRef("postgresql.cnpg.io", "Cluster", "ns", "db"), "out"),
    }


def test_malformed_objects_yield_nothing_rather_than_fail():
    broken = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "ownerReferences": ["x", {}]}, "spec": 3}
    assert relations_of(broken, "", "Pod", "compute").references == ()
    weird = _obj("v1", "Pod", spec={"volumes": [7, {"configMap": "x"}], "containers": [None, {"env": [1]}]})
    assert relations_of(weird, "", "Pod", "compute").references == ()
