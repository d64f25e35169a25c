"""Building blocks every kind shares: the common columns (NAME, NAMESPACE, STATUS, AGE, REGION) and rows."""

from __future__ import annotations

from collections.abc import Mapping

from console.kube.api import JsonObject
from console.kube.kinds import Column, RenderContext, Row, Tone
from console.kube.objects import cache_key, created_at, human_age, labels_of, name_of, namespace_of, uid_of
from console.kube.quantities import quantity_or_zero

NAME = Column("name", "NAME", "name")
NAMESPACE = Column("namespace", "NAMESPACE")
STATUS = Column("status", "STATUS", "status")
AGE = Column("age", "AGE", numeric=True)
REGION = Column("region", "REGION")
LABELS = Column("labels", "LABELS", "labels")


def columns(*extra: Column, namespaced: bool, status: bool = True) -> tuple[Column, ...]:
    """NAME, NAMESPACE (namespaced kinds), the kind's own columns, STATUS, AGE, REGION — in that order."""
    return (
        NAME,
        *((NAMESPACE,) if namespaced else ()),
        *extra,
        *((STATUS,) if status else ()),
        AGE,
        REGION,
    )


def region_of(cluster_id: str) -> str:
    """REGION from the cluster id: `sovereign-<fqdn>` is the primary cluster, `<id>-<region>` names its region."""
    if not cluster_id or cluster_id.startswith("sovereign-"):
        return "primary"
    _, separator, region = cluster_id.rpartition("-")
    return region if separator and region else cluster_id


def format_labels(labels: Mapping[str, str]) -> str:
    """Labels as `key=value` lines, sorted, one per line (the view splits them into chips)."""
    return "\n".join(f"{key}={value}" for key, value in sorted(labels.items()))


def object_row(
    obj: JsonObject,
    context: RenderContext,
    *,
    status: str = "",
    tone: Tone = "muted",
    cells: Mapping[str, str] | None = None,
    sort_keys: Mapping[str, str | float] | None = None,
    cell_tones: Mapping[str, Tone] | None = None,
) -> Row:
    """A row for one Kubernetes object: the common cells filled in, the kind's own `cells` added.

    Sort keys default to the cell text; AGE sorts by creation time (youngest first, as kubectl does).
    """
    created = created_at(obj)
    name, namespace = name_of(obj), namespace_of(obj)
    all_cells = {
        "name": name,
        "namespace": namespace,
        "status": status,
        "age": human_age(created, context.now),
        "region": region_of(context.cluster_id),
        **(cells or {}),
    }
    keys: dict[str, str | float] = {key: value.lower() for key, value in all_cells.items()}
    keys["age"] = -(created.timestamp() if created else 0.0)
    keys.update(sort_keys or {})
    return Row(
        key=cache_key(obj),
        uid=uid_of(obj),
        name=name,
        namespace=namespace,
        labels=labels_of(obj),
        cells=all_cells,
        sort_keys=keys,
        tone=tone,
        cell_tones=dict(cell_tones or {}),
    )


def columns_in_order(*middle: Column, namespaced: bool) -> tuple[Column, ...]:
    """NAME, NAMESPACE (namespaced kinds), `middle` as given (the kind places STATUS, as kubectl does), AGE, REGION."""
    return (NAME, *((NAMESPACE,) if namespaced else ()), *middle, AGE, REGION)


def ready_cell(ready: int, desired: int) -> str:
    """READY as `<ready>/<desired>`."""
    return f"{ready}/{desired}"


def count(value: object) -> int:
    """A wire count (replicas, restarts …) as an int: 0 when absent or not a number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def quantity_value(quantity: str) -> float:
    """A Kubernetes quantity (`5Gi`, `500M`, `100m`) as a number, for sorting; 0 when unreadable."""
    return quantity_or_zero(quantity)
