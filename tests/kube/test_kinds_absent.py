from seeded_world import CONTEXT, assert_rows_fill_columns

from console.kube.api import ResourcePath
from console.kube.kinds import rows_for
from console.kube.kinds_catalog.absent import BUCKETS, DNS_ZONES
from console.kube.registry import KINDS as REGISTERED

CLAIM = {
    "apiVersion": "objectbucket.io/v1alpha1",
    "kind": "ObjectBucketClaim",
    "metadata": {"name": "media", "namespace": "acme-prod-wordpress", "creationTimestamp": "2026-11-20T12:00:00Z"},
    "spec": {"generateBucketName": "media", "storageClassName": "rook-ceph-bucket", "bucketName": "media-4f1c"},
    "status": {"phase": "Bound"},
}


def test_buckets_are_object_bucket_claims_and_a_primary_chip():
    assert BUCKETS.resource == ResourcePath("objectbucket.io", "v1alpha1", "objectbucketclaims")
    assert BUCKETS.primary and BUCKETS.namespaced and not BUCKETS.unavailable
    assert REGISTERED["buckets"] is BUCKETS
    assert [column.title for column in BUCKETS.columns] == [
        "NAME",
        "NAMESPACE",
        "BUCKET",
        "STORAGECLASS",
        "STATUS",
        "AGE",
        "REGION",
    ]


def test_bound_bucket_row():
    row = BUCKETS.render(CLAIM, CONTEXT)
    assert_rows_fill_columns(BUCKETS, [row])
    assert (row.cells["bucket"], row.cells["storage_class"]) == ("media-4f1c", "rook-ceph-bucket")
    assert (row.cells["status"], row.tone, row.cells["age"]) == ("Bound", "ok", "7d")


def test_pending_bucket_shows_the_name_it_will_generate():
    pending = {**CLAIM, "spec": {"generateBucketName": "media"}, "status": {}}
    row = BUCKETS.render(pending, CONTEXT)
    assert (row.cells["bucket"], row.cells["status"], row.tone) == ("media", "Pending", "warn")


def test_dns_zones_have_no_source_and_say_why():
    assert DNS_ZONES.resource is None
    assert "nothing to list" in DNS_ZONES.unavailable
    assert REGISTERED["dns-zones"] is DNS_ZONES
    assert [column.key for column in DNS_ZONES.columns] == ["name", "status", "age", "region"]
    assert rows_for(DNS_ZONES, [], CONTEXT) == []
    assert_rows_fill_columns(DNS_ZONES, [DNS_ZONES.render({"metadata": {"name": "omantel.openova.cloud"}}, CONTEXT)])
