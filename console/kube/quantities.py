"""Kubernetes resource quantities ("100m", "1.5Gi", "2e3") as plain numbers: the one parser of the console.

The wire format (apimachinery's `resource.Quantity`): a signed decimal number, then either a decimal
exponent (`e3`, `E-2`) or one suffix, binary (`Ki` … `Ei`, powers of 1024) or decimal (`n` … `E`, powers
of 1000). A bare `E` is exa, while `E` followed by digits is an exponent, as Kubernetes reads them.
"""

from __future__ import annotations

import re

__all__ = ["QuantityError", "parse_quantity", "quantity_or_zero"]

_SCALE = {
    "": 1.0,
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "P": 1e15,
    "E": 1e18,
    "Ki": 2.0**10,
    "Mi": 2.0**20,
    "Gi": 2.0**30,
    "Ti": 2.0**40,
    "Pi": 2.0**50,
    "Ei": 2.0**60,
}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<exponent>[eE][+-]?[0-9]+)|(?P<suffix>[KMGTPE]i|[numkMGTPE])?)$"
)


class QuantityError(ValueError):
    """The text is not a Kubernetes quantity."""


def parse_quantity(text: str) -> float:
    """The number a quantity stands for: `parse_quantity("100m") == 0.1`, `parse_quantity("1Ki") == 1024`.

    Raises:
        QuantityError: the text is not a quantity (empty, unknown suffix, stray characters).
    """
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise QuantityError(f"not a Kubernetes quantity: {text!r}")
    number = float(match["number"])
    if match["exponent"]:
        return number * 10.0 ** int(match["exponent"][1:])
    return number * _SCALE[match["suffix"] or ""]


def quantity_or_zero(value: object) -> float:
    """A quantity read from an object for display or sorting: 0 when absent or unreadable."""
    if isinstance(value, bool):
        return 0.0
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return 0.0
    try:
        return parse_quantity(value)
    except QuantityError:
        return 0.0
