"""Kinds that are often (buckets) or always (dns-zones) without an API on the cluster; the page says so honestly."""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, Kind, RenderContext, Row
from console.kube.kinds_catalog._fields import text
from console.kube.rows import columns, object_row
from console.kube.tones import tone_for_status


def render_bucket(obj: JsonObject, context: RenderContext) -> Row:
    """An ObjectBucketClaim: its bucket name (generated once bound), storage class, and its phase as STATUS."""
    phase = text(obj, "status", "phase") or "Pending"
    cells = {
        "bucket": text(obj, "spec", "bucketName") or text(obj, "spec", "generateBucketName"),
        "storage_class": text(obj, "spec", "storageClassName"),
    }
    return object_row(obj, context, status=phase, tone=tone_for_status(phase), cells=cells)


def render_dns_zone(obj: JsonObject, context: RenderContext) -> Row:
    """Never called while `resource` is None; kept valid so the kind obeys the registry's invariants."""
    return object_row(obj, context, status="Unknown", tone="muted")


BUCKETS = Kind(
    id="buckets",
    title="Buckets",
    kind="ObjectBucketClaim",
    resource=ResourcePath("objectbucket.io", "v1alpha1", "objectbucketclaims"),
    category="storage",
    columns=columns(
        Column("bucket", "BUCKET"),
        Column("storage_class", "STORAGECLASS"),
        namespaced=True,
    ),
    render=render_bucket,
    primary=True,
    short_names=("obc", "bucket"),
)
DNS_ZONES = Kind(
    id="dns-zones",
    title="DNS Zones",
    kind="DNSZone",
    resource=None,
    category="network",
    columns=columns(namespaced=False),
    render=render_dns_zone,
    short_names=("dns", "dnszones"),
    unavailable="DNS zones are managed outside this cluster (there is no API for them yet); nothing to list.",
    opens_detail=False,
)

KINDS = (BUCKETS, DNS_ZONES)
