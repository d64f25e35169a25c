import copy

import pytest
from seeded_world import CONTEXT, assert_rows_fill_columns, objects_of, rows_of

from console.kube.kinds_catalog.flux import GIT_REPOSITORIES, HELM_RELEASES, KINDS, KUSTOMIZATIONS
from console.kube.registry import KINDS as REGISTERED
from console.kube.tones import reconcile_state


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.id)
def test_seeded_rows_fill_every_column(kind):
    rows = list(rows_of(kind).values())
    assert rows, kind.id
    assert_rows_fill_columns(kind, rows)
    assert REGISTERED[kind.id] is kind
    assert kind.category == "reconciler"


def test_healthy_helm_release_shows_target_namespace_chart_revision_and_reconciled():
    row = rows_of(HELM_RELEASES)["flux-system/openova-prod-keycloak"]
    assert row.cells["target_namespace"] == "openova-prod-keycloak"
    assert row.cells["chart"] == "keycloak@24.7.3"
    assert row.cells["revision"] == "24.7.3"
    assert (row.cells["status"], row.tone) == ("Reconciled", "ok")
    assert row.cells["message"].startswith("Helm install succeeded")


def test_stalled_helm_release_is_degraded():
    row = rows_of(HELM_RELEASES)["flux-system/acme-dev-billing"]
    assert (row.cells["status"], row.tone) == ("Degraded", "err")
    assert row.cells["revision"] == "2.5.0-rc.1"
    assert "3 attempt" in row.cells["message"]


def _keycloak_release():
    return copy.deepcopy(next(o for o in objects_of(HELM_RELEASES) if o["metadata"]["name"] == "openova-prod-keycloak"))


def test_suspended_helm_release_is_muted_whatever_its_conditions():
    release = _keycloak_release()
    release["spec"]["suspend"] = True
    row = HELM_RELEASES.render(release, CONTEXT)
    assert (row.cells["status"], row.tone) == ("Suspended", "muted")


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded"}], ("Reconciled", "ok")),
        ([{"type": "Ready", "status": "False", "reason": "RetriesExhausted"}], ("Degraded", "err")),
        ([{"type": "Ready", "status": "False", "reason": "Stalled"}], ("Degraded", "err")),
        (
            [{"type": "Stalled", "status": "True"}, {"type": "Ready", "status": "False", "reason": "RetriesExceeded"}],
            ("Degraded", "err"),
        ),
        ([{"type": "Ready", "status": "False", "reason": "ArtifactFailed"}], ("Reconciling", "warn")),
        ([{"type": "Ready", "status": "Unknown", "reason": "Progressing"}], ("Reconciling", "warn")),
        ([], ("Reconciling", "warn")),
    ],
)
def test_reconcile_state_follows_the_spec(conditions, expected):
    assert reconcile_state({"spec": {}, "status": {"conditions": conditions}}) == expected


def test_revision_falls_back_to_history_and_chart_without_version():
    release = _keycloak_release()
    del release["status"]["lastAttemptedRevision"]
    del release["spec"]["chart"]["spec"]["version"]
    row = HELM_RELEASES.render(release, CONTEXT)
    assert row.cells["revision"] == "24.7.3"
    assert row.cells["chart"] == "keycloak"


def test_helm_release_with_chart_ref_and_no_status():
    release = {
        "metadata": {"name": "podinfo", "namespace": "apps"},
        "spec": {"chartRef": {"kind": "OCIRepository", "name": "podinfo"}},
    }
    row = HELM_RELEASES.render(release, CONTEXT)
    assert row.cells["chart"] == "OCIRepository/podinfo"
    assert row.cells["target_namespace"] == "apps"
    assert (row.cells["status"], row.tone, row.cells["revision"]) == ("Reconciling", "warn", "")


def test_kustomization_shows_source_path_and_short_revision():
    row = rows_of(KUSTOMIZATIONS)["flux-system/acme-dev"]
    assert row.cells["source"] == "GitRepository/acme"
    assert row.cells["path"] == "./acme-dev"
    assert row.cells["revision"] == "main@sha1:4d419cd368fd"
    assert (row.cells["status"], row.tone) == ("Reconciled", "ok")


def test_git_repository_shows_url_branch_and_artifact_revision():
    row = rows_of(GIT_REPOSITORIES)["flux-system/flux-system"]
    assert row.cells["url"].endswith("/openova/sovereign.git")
    assert row.cells["ref"] == "main"
    assert row.cells["revision"] == "main@sha1:e31501d8d47b"
    assert row.tone == "ok"


def test_git_repository_tag_ref():
    repository = {"metadata": {"name": "r", "namespace": "flux-system"}, "spec": {"ref": {"tag": "v1.2.0"}}}
    assert GIT_REPOSITORIES.render(repository, CONTEXT).cells["ref"] == "v1.2.0"
