"""The audit log as CSV: RFC 4180 quoting (commas, quotes, line breaks) and cells a spreadsheet never evaluates."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from console.audit import AuditRecord
from console.audit.export import CSV_HEADER, audit_csv, safe_cell

MOMENT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def _parsed(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_commas_quotes_and_line_breaks_survive_a_round_trip():
    detail = 'replicas=3, was "2"\nsecond line\r\nthird'
    records = [AuditRecord(MOMENT, "oidc:alice", "scale", "deployments.apps/shop/web", "ok", detail)]

    text = audit_csv(records, {"oidc:alice": "Alice Liddell <alice@example.org>"})

    assert text.startswith(",".join(CSV_HEADER) + "\r\n")
    assert '"replicas=3, was ""2""\nsecond line\r\nthird"' in text
    assert _parsed(text) == [
        list(CSV_HEADER),
        [
            "2026-12-01T09:30:00.000000Z",
            "oidc:alice",
            "Alice Liddell <alice@example.org>",
            "scale",
            "ok",
            "deployments.apps/shop/web",
            detail,
        ],
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_would_be_a_formula_is_kept_as_text(start: str):
    hostile = f'{start}HYPERLINK("http://evil.example","x")'
    records = [AuditRecord(MOMENT, hostile, hostile, hostile, "denied", hostile)]

    [_, row] = _parsed(audit_csv(records, {hostile: hostile}))

    assert row[0] == "2026-12-01T09:30:00.000000Z" and row[4] == "denied"
    assert row[1:4] + row[5:] == [f"'{hostile}"] * 5


def test_ordinary_cells_are_left_alone_and_unknown_actors_have_no_name():
    assert safe_cell("scale") == "scale"
    assert safe_cell("a=b") == "a=b"  # only a leading sign makes a formula
    assert safe_cell("") == ""
    [_, row] = _parsed(audit_csv([AuditRecord(MOMENT, "system:admin", "apply", "x", "error")]))
    assert row[1:3] == ["system:admin", ""] and row[6] == ""


def test_no_records_is_the_header_alone():
    assert audit_csv([]) == ",".join(CSV_HEADER) + "\r\n"
