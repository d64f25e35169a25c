"""Storage: the two StorageClasses and bound PersistentVolumeClaim / PersistentVolume pairs."""

from __future__ import annotations

from sovereign_sandbox.world.context import DAY, Node, WorldContext

__all__ = ["DEFAULT_CLASS", "LOCAL_CLASS", "bound_claim", "storage_classes"]

DEFAULT_CLASS = "hcloud-volumes"
LOCAL_CLASS = "local-path"
_CLUSTER_AGE = 62 * DAY


def storage_classes(context: WorldContext) -> None:
    context.add(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": DEFAULT_CLASS,
                "labels": {"app.kubernetes.io/managed-by": "Helm", "app.kubernetes.io/name": "hcloud-csi"},
                "annotations": {
                    "storageclass.kubernetes.io/is-default-class": "true",
                    "meta.helm.sh/release-name": "hcloud-csi",
                    "meta.helm.sh/release-namespace": "kube-system",
                },
                "creationTimestamp": context.timestamp(_CLUSTER_AGE - 600),
            },
            "provisioner": "csi.hetzner.cloud",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True,
        }
    )
    context.add(
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": LOCAL_CLASS,
                "labels": {"app.kubernetes.io/name": "local-path-provisioner"},
                "annotations": {},
                "creationTimestamp": context.timestamp(_CLUSTER_AGE - 640),
            },
            "provisioner": "rancher.io/local-path",
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": False,
        }
    )


def _volume_name(context: WorldContext) -> str:
    raw = f"{context.rng.getrandbits(128):032x}"
    return f"pvc-{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-a{raw[17:20]}-{raw[20:]}"


def bound_claim(
    context: WorldContext,
    *,
    name: str,
    namespace: str,
    size: str,
    labels: dict,
    age: float,
    node: Node,
    storage_class: str = DEFAULT_CLASS,
) -> tuple[dict, dict]:
    """A PVC bound to its dynamically provisioned PV (`claimRef` by name; the store adds uids)."""
    volume = _volume_name(context)
    provisioner = "csi.hetzner.cloud" if storage_class == DEFAULT_CLASS else "rancher.io/local-path"
    created = context.timestamp(age)
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": {
                "pv.kubernetes.io/bind-completed": "yes",
                "pv.kubernetes.io/bound-by-controller": "yes",
                "volume.beta.kubernetes.io/storage-provisioner": provisioner,
                "volume.kubernetes.io/storage-provisioner": provisioner,
                "volume.kubernetes.io/selected-node": node.name,
            },
            "finalizers": ["kubernetes.io/pvc-protection"],
            "creationTimestamp": created,
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": size}},
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
            "volumeName": volume,
        },
        "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}},
    }
    if storage_class == DEFAULT_CLASS:
        # Hetzner volumes live in one location, so the PV is pinned to the node's region.
        source = {
            "csi": {
                "driver": provisioner,
                "fsType": "ext4",
                "volumeHandle": str(context.rng.randint(100_000_000, 109_999_999)),
                "volumeAttributes": {
                    "storage.kubernetes.io/csiProvisionerIdentity": "1714000000000-7391-csi.hetzner.cloud"
                },
            }
        }
        affinity = {"key": "csi.hetzner.cloud/location", "operator": "In", "values": [f"{node.region}1"]}
    else:
        source = {
            "hostPath": {
                "path": f"/opt/local-path-provisioner/{volume}_{namespace}_{name}",
                "type": "DirectoryOrCreate",
            }
        }
        affinity = {"key": "kubernetes.io/hostname", "operator": "In", "values": [node.name]}
    persistent_volume = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": volume,
            "labels": {},
            "annotations": {
                "pv.kubernetes.io/provisioned-by": provisioner,
                "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                "volume.kubernetes.io/provisioner-deletion-secret-namespace": "",
            },
            "finalizers": ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection"],
            "creationTimestamp": context.timestamp(age - 3),
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": size},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": namespace, "name": name},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [affinity]}]}},
            **source,
        },
        "status": {"phase": "Bound", "lastPhaseTransitionTime": context.timestamp(age - 3)},
    }
    return claim, persistent_volume
