"""Storage kinds: pvcs (PersistentVolumeClaims, CLASS filter), volumes (PersistentVolumes), storage-classes.

`volumes` and core's `persistentvolumes` both list v1 PersistentVolumes (the cache is per resource, so one
watch serves both): `volumes` is the Cloud page's short view, `persistentvolumes` kubectl's full one.
"""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, GraphType, Kind, KindFilter, RenderContext, Row
from console.kube.kinds_catalog._fields import field, items, text
from console.kube.kinds_catalog.core import ACCESS_MODES, CAPACITY, CLAIM, NONE, access_modes, volume_cells
from console.kube.objects import metadata_of
from console.kube.rows import STATUS, columns, columns_in_order, object_row, quantity_value
from console.kube.tones import tone_for_status

VOLUME = Column("volume", "VOLUME")
CLASS = Column("class", "CLASS")
PROVISIONER = Column("provisioner", "PROVISIONER")
RECLAIM_POLICY = Column("reclaim_policy", "RECLAIMPOLICY")
VOLUME_BINDING_MODE = Column("volume_binding_mode", "VOLUMEBINDINGMODE")
ALLOW_VOLUME_EXPANSION = Column("allow_volume_expansion", "ALLOWVOLUMEEXPANSION")


def render_claim(obj: JsonObject, context: RenderContext) -> Row:
    phase = text(obj, "status", "phase") or "Pending"
    if metadata_of(obj).get("deletionTimestamp"):
        phase = "Terminating"
    # Capacity is what was bound (status); a claim still pending has none yet, as kubectl shows.
    capacity = text(obj, "status", "capacity", "storage")
    return object_row(
        obj,
        context,
        status=phase,
        tone=tone_for_status(phase),
        cells={
            "volume": text(obj, "spec", "volumeName"),
            "capacity": capacity,
            "access_modes": access_modes(items(obj, "status", "accessModes")),
            "class": text(obj, "spec", "storageClassName") or NONE,
        },
        sort_keys={"capacity": quantity_value(capacity)},
    )


def render_volume(obj: JsonObject, context: RenderContext) -> Row:
    cells, sort_keys, phase, tone = volume_cells(obj)
    shown = {key: cells[key] for key in ("capacity", "claim")}
    return object_row(obj, context, status=phase, tone=tone, cells=shown, sort_keys=sort_keys)


def render_storage_class(obj: JsonObject, context: RenderContext) -> Row:
    expansion = field(obj, "allowVolumeExpansion")
    return object_row(
        obj,
        context,
        cells={
            "provisioner": text(obj, "provisioner"),
            "reclaim_policy": text(obj, "reclaimPolicy") or "Delete",
            "volume_binding_mode": text(obj, "volumeBindingMode") or "Immediate",
            "allow_volume_expansion": "true" if expansion is True else "false",
        },
    )


PVCS = Kind(
    id="pvcs",
    title="PVCs",
    kind="PersistentVolumeClaim",
    resource=ResourcePath("", "v1", "persistentvolumeclaims"),
    category="storage",
    columns=columns_in_order(STATUS, VOLUME, CAPACITY, ACCESS_MODES, CLASS, namespaced=True),
    render=render_claim,
    primary=True,
    filters=(KindFilter("class", "CLASS"),),
    short_names=("pvc", "persistentvolumeclaims"),
    graph=GraphType("data", "PersistentVolumeClaim"),
)

VOLUMES = Kind(
    id="volumes",
    title="Volumes",
    kind="PersistentVolume",
    resource=ResourcePath("", "v1", "persistentvolumes"),
    category="storage",
    columns=columns(CAPACITY, CLAIM, namespaced=False),
    render=render_volume,
    short_names=("vol",),
    graph=GraphType("data"),
)

STORAGE_CLASSES = Kind(
    id="storage-classes",
    title="Storage Classes",
    kind="StorageClass",
    resource=ResourcePath("storage.k8s.io", "v1", "storageclasses"),
    category="storage",
    columns=columns(
        PROVISIONER, RECLAIM_POLICY, VOLUME_BINDING_MODE, ALLOW_VOLUME_EXPANSION, namespaced=False, status=False
    ),
    render=render_storage_class,
    short_names=("sc", "storageclasses"),
    graph=GraphType("data"),
)

KINDS = (PVCS, VOLUMES, STORAGE_CLASSES)
