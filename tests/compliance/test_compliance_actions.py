"""Mode changes, the violations CSV and report access, against fakes of the API (no network)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from console.compliance.access import report_namespaces
from console.compliance.export import CSV_HEADER, violations_csv
from console.compliance.model import Attribution, ResourceRef
from console.compliance.modes import describe_mode_change, mode_patch, set_mode
from console.compliance.views import Violation
from console.kube.access import AccessReviews
from console.kube.api import KubeApiError


class RecordingApi:
    """Records requests; answers access reviews from `allowed` and patches with `answer` (or `error`)."""

    def __init__(self, allowed: set[tuple[str, str, str]] | None = None, error: KubeApiError | None = None) -> None:
        self.allowed = allowed or set()
        self.error = error
        self.requests: list[tuple[str, str, Any, str]] = []

    async def post(self, path: str, body: dict, query: Any = None) -> dict:
        attributes = body["spec"]["resourceAttributes"]
        self.requests.append(("POST", path, body, ""))
        key = (attributes["group"], attributes["resource"], attributes.get("namespace", ""))
        return {"status": {"allowed": key in self.allowed}}

    async def patch(self, path: str, body: Any, content_type: str = "", query: Any = None) -> dict:
        self.requests.append(("PATCH", path, body, content_type))
        if self.error is not None:
            raise self.error
        return {"metadata": {"name": path.rsplit("/", 1)[-1]}, "spec": body["spec"]}


def test_a_mode_patch_is_a_merge_patch_of_one_mode():
    assert mode_patch("probes-present", "enforcing") == {
        "spec": {"compliance": {"modes": {"probes-present": "enforcing"}}}
    }
    with pytest.raises(ValueError):
        mode_patch("probes-present", "strict")
    with pytest.raises(ValueError):
        mode_patch("", "permissive")


def test_the_confirm_dialog_shows_a_one_line_diff():
    line = describe_mode_change("production", "probes-present", "enforcing", "permissive", ["acme-prod", "bank-prod"])
    assert line == (
        "environmentpolicy/production: spec.compliance.modes.probes-present: enforcing → permissive"
        " (applies to 2 environments: acme-prod, bank-prod)"
    )
    assert "\n" not in line
    assert describe_mode_change("dev", "p", "", "enforcing", ["acme-dev"]).endswith(
        "modes.p: permissive → enforcing (applies to acme-dev)"
    )


async def test_set_mode_patches_the_environment_policy():
    api = RecordingApi()
    answer = await set_mode(api, "production", "probes-present", "permissive")  # type: ignore[arg-type]
    assert api.requests == [
        (
            "PATCH",
            "/apis/catalyst.openova.io/v1alpha1/environmentpolicies/production",
            {"spec": {"compliance": {"modes": {"probes-present": "permissive"}}}},
            "application/merge-patch+json",
        )
    ]
    assert answer["spec"]["compliance"]["modes"] == {"probes-present": "permissive"}


async def test_a_bad_mode_is_refused_before_any_request():
    api = RecordingApi()
    with pytest.raises(ValueError):
        await set_mode(api, "production", "probes-present", "off")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await set_mode(api, "", "probes-present", "enforcing")  # type: ignore[arg-type]
    assert api.requests == []


async def test_a_refusal_of_the_api_server_propagates():
    api = RecordingApi(error=KubeApiError(403, "Forbidden", 'cannot patch resource "environmentpolicies"'))
    with pytest.raises(KubeApiError) as refused:
        await set_mode(api, "production", "probes-present", "enforcing")  # type: ignore[arg-type]
    assert refused.value.status == 403


def test_violations_csv_quotes_as_rfc_4180_says():
    violation = Violation(
        resource=ResourceRef("Deployment", "shop", "web"),
        policy="probes-present",
        rule="check, probes",
        message='validation error: "livenessProbe" missing\nsecond line',
        severity="high",
        attribution=Attribution("shop", "acme-prod", "acme"),
        weight=5,
        timestamp=None,
    )
    text = violations_csv([violation])
    assert text.startswith(",".join(CSV_HEADER) + "\r\n")
    assert '"check, probes"' in text and '"validation error: ""livenessProbe"" missing\nsecond line"' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == [
        "deployment/shop/web",
        "Deployment",
        "shop",
        "web",
        "probes-present",
        "check, probes",
        "high",
        "5",
        "shop",
        "acme-prod",
        "acme",
        'validation error: "livenessProbe" missing\nsecond line',
    ]
    assert violations_csv([]) == ",".join(CSV_HEADER) + "\r\n"


async def test_report_access_is_everything_when_allowed_cluster_wide():
    api = RecordingApi({("wgpolicyk8s.io", "policyreports", "")})
    assert await report_namespaces(AccessReviews(), api, "ann", ["a", "b"]) is None  # type: ignore[arg-type]
    assert len(api.requests) == 1


async def test_report_access_is_the_namespaces_allowed_otherwise():
    api = RecordingApi({("wgpolicyk8s.io", "policyreports", "b"), ("wgpolicyk8s.io", "policyreports", "c")})
    assert await report_namespaces(AccessReviews(), api, "bob", ["a", "b", "", "b"]) == frozenset({"b"})  # type: ignore[arg-type]


async def test_report_access_asks_about_openreports_when_only_those_are_served():
    api = RecordingApi({("openreports.io", "reports", "a")})
    assert await report_namespaces(AccessReviews(), api, "cy", ["a", "b"], openreports_only=True) == frozenset({"a"})  # type: ignore[arg-type]
