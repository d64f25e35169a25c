"""The one quantity parser (console/kube/quantities.py) and the two places that read quantities through it."""

from __future__ import annotations

import pytest

from console.kube.quantities import QuantityError, parse_quantity, quantity_or_zero
from console.kube.rows import quantity_value
from console.kube.usage import usage_rows


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", 0.1),
        ("1Gi", 2.0**30),
        ("1.5", 1.5),
        ("2e3", 2000.0),
        ("1Ki", 1024.0),
        ("500Mi", 500 * 2.0**20),
        ("1k", 1000.0),
        ("12345n", 12345e-9),
        ("250u", 250e-6),
        ("3E", 3e18),  # a bare E is exa …
        ("3E2", 300.0),  # … E with digits is an exponent
        ("1.5e-3", 0.0015),
        ("-2M", -2e6),
        ("+4Ti", 4 * 2.0**40),
        (".5G", 0.5e9),
        (" 64Mi ", 64 * 2.0**20),
    ],
)
def test_quantities_parse_to_their_value(text: str, value: float):
    assert parse_quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "Gi", "1Gb", "1 Gi", "1.2.3", "abc", "1KiB", "1ki", "e3", "--1"])
def test_what_is_not_a_quantity_is_an_error(text: str):
    with pytest.raises(QuantityError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_reading_for_display_treats_the_unreadable_as_zero():
    assert quantity_or_zero("1Gb") == 0.0
    assert quantity_or_zero(None) == 0.0
    assert quantity_or_zero(True) == 0.0
    assert quantity_or_zero(3) == 3.0
    assert quantity_or_zero("2Gi") == 2 * 2.0**30


def test_rows_and_usage_share_the_parser():
    assert quantity_value("5Gi") == 5 * 2.0**30
    assert quantity_value("100m") == pytest.approx(0.1)
    rows = usage_rows(
        {"kind": "PodMetrics", "containers": [{"name": "web", "usage": {"cpu": "250000000n", "memory": "64Mi"}}]}
    )
    assert {"name": "web", "cpu": "250m", "memory": "64.0Mi"} in rows
