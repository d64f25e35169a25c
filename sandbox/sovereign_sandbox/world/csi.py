"""The Hetzner CSI driver as the cluster records it: its CSIDriver, a CSINode per node where the node plugin
registered, and a VolumeAttachment for every Hetzner volume attached to the node of the pod using it."""

from __future__ import annotations

import hashlib
import json

from sovereign_sandbox.world.cluster import CLUSTER_AGE
from sovereign_sandbox.world.context import WorldContext, owner_reference
from sovereign_sandbox.world.storage import DEFAULT_CLASS

__all__ = ["csi_objects"]

_DRIVER = "csi.hetzner.cloud"


def _driver(context: WorldContext) -> None:
    context.add(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "CSIDriver",
            "metadata": {
                "name": _DRIVER,
                "labels": {"app.kubernetes.io/name": "hcloud-csi", "app.kubernetes.io/managed-by": "Helm"},
                "annotations": {
                    "meta.helm.sh/release-name": "hcloud-csi",
                    "meta.helm.sh/release-namespace": "kube-system",
                },
                "generation": 1,
                "creationTimestamp": context.timestamp(CLUSTER_AGE - 600),
            },
            "spec": {
                "attachRequired": True,
                "fsGroupPolicy": "File",
                "podInfoOnMount": True,
                "requiresRepublish": False,
                "seLinuxMount": False,
                "storageCapacity": False,
                "volumeLifecycleModes": ["Persistent"],
            },
        }
    )


def _csi_nodes(context: WorldContext) -> None:
    """The node plugin (a DaemonSet on every node) registers the driver with each node's kubelet."""
    for node in [item for item in context.objects if item["kind"] == "Node"]:
        metadata = node["metadata"]
        node_ids = json.loads(metadata["annotations"].get("csi.volume.kubernetes.io/nodeid", "{}"))
        context.add(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "CSINode",
                "metadata": {
                    "name": metadata["name"],
                    "labels": {},
                    "annotations": {"storage.alpha.kubernetes.io/migrated-plugins": ""},
                    "ownerReferences": [owner_reference("v1", "Node", metadata["name"], controller=False)],
                    "creationTimestamp": metadata["creationTimestamp"],
                },
                "spec": {
                    "drivers": [
                        {
                            "name": _DRIVER,
                            "nodeID": node_ids.get(_DRIVER, ""),
                            "topologyKeys": ["csi.hetzner.cloud/location"],
                            "allocatable": {"count": 16},
                        }
                    ]
                },
            }
        )


def _attachments(context: WorldContext) -> None:
    claims_on_nodes: dict[tuple[str, str], tuple[str, str]] = {}  # (namespace, claim) → (node, pod created)
    for pod in context.objects:
        if pod["kind"] != "Pod" or not pod["spec"].get("nodeName"):
            continue
        for volume in pod["spec"].get("volumes") or ():
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                key = (pod["metadata"]["namespace"], claim)
                claims_on_nodes[key] = (pod["spec"]["nodeName"], pod["metadata"]["creationTimestamp"])
    volumes = {item["metadata"]["name"]: item for item in context.objects if item["kind"] == "PersistentVolume"}
    for claim in [item for item in context.objects if item["kind"] == "PersistentVolumeClaim"]:
        metadata, spec = claim["metadata"], claim["spec"]
        placement = claims_on_nodes.get((metadata["namespace"], metadata["name"]))
        volume = volumes.get(spec.get("volumeName", ""))
        if placement is None or volume is None or spec.get("storageClassName") != DEFAULT_CLASS:
            continue
        node, attached_at = placement
        # The attach-detach controller names attachments csi-<sha256 of volume handle, attacher and node>.
        handle = volume["spec"]["csi"]["volumeHandle"]
        digest = hashlib.sha256(f"{handle}{_DRIVER}{node}".encode()).hexdigest()
        context.add(
            {
                "apiVersion": "storage.k8s.io/v1",
                "kind": "VolumeAttachment",
                "metadata": {
                    "name": f"csi-{digest}",
                    "labels": {},
                    "annotations": {"csi.alpha.kubernetes.io/node-id": node},
                    "finalizers": ["external-attacher/csi-hetzner-cloud"],
                    "creationTimestamp": attached_at,
                },
                "spec": {
                    "attacher": _DRIVER,
                    "nodeName": node,
                    "source": {"persistentVolumeName": volume["metadata"]["name"]},
                },
                "status": {
                    "attached": True,
                    "attachmentMetadata": {"devicePath": f"/dev/disk/by-id/scsi-0HC_Volume_{handle}"},
                },
            }
        )


def csi_objects(context: WorldContext) -> None:
    """Add the CSI driver's objects (after the nodes, claims and the pods that mount them)."""
    _driver(context)
    _csi_nodes(context)
    _attachments(context)
