from datetime import UTC, datetime, timedelta

import pytest

from console.kube.objects import cache_key, human_age, labels_of, parse_timestamp

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (timedelta(seconds=0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(seconds=119), "119s"),
        (timedelta(minutes=7), "7m"),
        (timedelta(minutes=7, seconds=5), "7m5s"),
        (timedelta(minutes=42), "42m"),
        (timedelta(hours=5), "5h"),
        (timedelta(hours=5, minutes=3), "5h3m"),
        (timedelta(hours=30), "30h"),
        (timedelta(days=3, hours=4), "3d4h"),
        (timedelta(days=40), "40d"),
        (timedelta(days=800), "2y70d"),
    ],
)
def test_human_age_reads_like_kubectl(elapsed, expected):
    assert human_age(NOW - elapsed, NOW) == expected


def test_human_age_of_a_missing_or_future_timestamp():
    assert human_age(None, NOW) == "<unknown>"
    assert human_age(NOW + timedelta(seconds=5), NOW) == "0s"


def test_parse_timestamp_accepts_api_server_format_only():
    assert parse_timestamp("2026-11-27T11:00:00Z") == NOW - timedelta(hours=1)
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp(None) is None


def test_cache_key_and_labels_tolerate_odd_shapes():
    assert cache_key({"metadata": {"name": "web", "namespace": "shop"}}) == "shop/web"
    assert cache_key({"metadata": {"name": "kube-system"}}) == "kube-system"
    assert labels_of({"metadata": {"labels": None}}) == {}
    assert labels_of({}) == {}
