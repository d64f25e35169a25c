from datetime import UTC, datetime

from console.kube.tree import children_of, detail_href, kind_id_for, owner_chain, tree

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


def _obj(kind: str, api_version: str, name: str, uid: str, owner: dict | None = None, labels=None) -> dict:
    metadata = {"name": name, "namespace": "shop", "uid": uid, "labels": labels or {}}
    if owner is not None:
        metadata["ownerReferences"] = [
            {
                "apiVersion": owner["apiVersion"],
                "kind": owner["kind"],
                "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"],
                "controller": True,
            }
        ]
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": {}, "status": {}}


DEPLOYMENT = _obj("Deployment", "apps/v1", "web", "d1")
REPLICASET = _obj("ReplicaSet", "apps/v1", "web-abc", "r1", DEPLOYMENT)
POD_A = _obj("Pod", "v1", "web-abc-1", "p1", REPLICASET, {"app": "web"})
POD_B = _obj("Pod", "v1", "web-abc-2", "p2", REPLICASET, {"app": "web"})
OTHER = _obj("Pod", "v1", "db-0", "p3", None, {"app": "db"})
EVERYTHING = [DEPLOYMENT, REPLICASET, POD_A, POD_B, OTHER]


def test_owner_chain_walks_up_to_the_deployment():
    chain = owner_chain(POD_A, {o["metadata"]["uid"]: o for o in EVERYTHING})
    assert [o["metadata"]["name"] for o in chain] == ["web-abc", "web"]


def test_an_owner_the_person_cannot_see_ends_the_chain_as_a_stub():
    chain = owner_chain(POD_A, {})
    assert [(o["kind"], o["metadata"]["name"]) for o in chain] == [("ReplicaSet", "web-abc")]


def test_children_are_walked_down_depth_first():
    found = [(depth, o["metadata"]["name"]) for depth, o in children_of(DEPLOYMENT, EVERYTHING)]
    assert found == [(1, "web-abc"), (2, "web-abc-1"), (2, "web-abc-2")]


def test_a_service_has_the_pods_it_selects_as_children():
    service = {**_obj("Service", "v1", "web", "s1"), "spec": {"selector": {"app": "web"}}}
    assert [o["metadata"]["name"] for _, o in children_of(service, EVERYTHING)] == ["web-abc-1", "web-abc-2"]
    empty = {**_obj("Service", "v1", "headless", "s2"), "spec": {}}
    assert children_of(empty, EVERYTHING) == []  # no selector selects nothing


def test_tree_lines_link_to_detail_pages():
    nodes = tree(REPLICASET, EVERYTHING, NOW)
    assert [(n.depth, n.kind, n.name) for n in nodes] == [
        (-1, "Deployment", "web"),
        (0, "ReplicaSet", "web-abc"),
        (1, "Pod", "web-abc-1"),
        (1, "Pod", "web-abc-2"),
    ]
    assert nodes[0].href == "/cloud/resource/deployments/shop/web/overview"
    assert nodes[2].as_dict()["relation"] == "child"


def test_kind_ids_prefer_the_plain_list_over_projections():
    assert kind_id_for("Node", "v1") == "worker-nodes"
    assert kind_id_for("StatefulSet", "apps/v1") == "statefulsets"
    assert kind_id_for("Service", "v1") == "services"
    assert kind_id_for("Nothing", "x/v1") == ""
    assert detail_href("namespaces", "", "shop") == "/cloud/resource/namespaces/_/shop/overview"
