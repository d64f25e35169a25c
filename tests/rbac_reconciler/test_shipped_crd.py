"""deploy/crds/useraccess.yaml, the UserAccess CRD the console ships for clusters, is the one the sandbox serves
(the sandbox's definition in world/crds.py is the source of truth), and a cluster accepts it as it is."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from reconciler_harness import eventually

pytestmark = pytest.mark.sandbox

SHIPPED = Path(__file__).resolve().parents[2] / "deploy" / "crds" / "useraccess.yaml"
NAME = "useraccesses.access.openova.io"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _shipped() -> dict:
    [document] = [item for item in yaml.safe_load_all(SHIPPED.read_text()) if item]
    return document


async def test_the_shipped_crd_is_what_the_sandbox_serves(cluster_http: httpx.AsyncClient):
    served = (await cluster_http.get(f"{CRDS}/{NAME}")).json()
    shipped = _shipped()
    assert (shipped["apiVersion"], shipped["kind"]) == ("apiextensions.k8s.io/v1", "CustomResourceDefinition")
    assert shipped["metadata"]["name"] == served["metadata"]["name"] == NAME
    assert shipped["metadata"]["labels"] == served["metadata"]["labels"]
    assert shipped["spec"] == served["spec"]


async def test_a_cluster_without_it_accepts_the_shipped_file(cluster_http: httpx.AsyncClient):
    assert (await cluster_http.delete(f"{CRDS}/{NAME}")).status_code == 200

    async def gone() -> bool:
        return (await cluster_http.get(f"{CRDS}/{NAME}")).status_code == 404

    await eventually(gone, "the CRD is deleted")
    created = await cluster_http.post(CRDS, json=_shipped())
    assert created.status_code == 201, created.text
    established = await eventually(lambda: _established(cluster_http), "the CRD is established")
    assert established
    listed = await cluster_http.get("/apis/access.openova.io/v1alpha1/useraccesses")
    assert listed.status_code == 200


async def _established(http: httpx.AsyncClient) -> bool:
    conditions = (await http.get(f"{CRDS}/{NAME}")).json().get("status", {}).get("conditions") or []
    return any(item.get("type") == "Established" and item.get("status") == "True" for item in conditions)
