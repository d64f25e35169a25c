"""Flux kinds: helmreleases, kustomizations, gitrepositories — each with its reconcile state."""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.capabilities import Capability
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row
from console.kube.kinds_catalog._fields import field, items, text
from console.kube.kinds_catalog._fields import short_revision as _short
from console.kube.objects import namespace_of
from console.kube.rows import columns, object_row
from console.kube.tones import condition, reconcile_state

TARGET_NAMESPACE = Column("target_namespace", "TARGET NAMESPACE")
CHART = Column("chart", "CHART")
REVISION = Column("revision", "REVISION")
SOURCE = Column("source", "SOURCE")
PATH = Column("path", "PATH")
URL = Column("url", "URL")
REF = Column("ref", "REF")
MESSAGE = Column("message", "MESSAGE")
RECONCILABLE = frozenset({Capability.RECONCILE})  # Flux reconciles them: reconcile now, suspend, resume


def _ready_message(obj: JsonObject) -> str:
    return str((condition(obj, "Ready") or {}).get("message") or "")


def _reconciler_row(obj: JsonObject, context: RenderContext, cells: dict[str, str]) -> Row:
    state, tone = reconcile_state(obj)
    return object_row(obj, context, status=state, tone=tone, cells={**cells, "message": _ready_message(obj)})


def chart_of(release: JsonObject) -> str:
    """`chart@version` from `spec.chart.spec` (just the chart when unpinned), or `Kind/name` of a `spec.chartRef`."""
    chart = text(release, "spec", "chart", "spec", "chart")
    if chart:
        version = text(release, "spec", "chart", "spec", "version")
        return f"{chart}@{version}" if version else chart
    reference = field(release, "spec", "chartRef")
    if isinstance(reference, dict) and reference.get("name"):
        return f"{reference.get('kind') or 'HelmChart'}/{reference['name']}"
    return ""


def release_revision(release: JsonObject) -> str:
    """The chart version last attempted, else the newest entry of the release history."""
    attempted = text(release, "status", "lastAttemptedRevision")
    if attempted:
        return _short(attempted)
    history = [entry for entry in items(release, "status", "history") if isinstance(entry, dict)]
    return str(history[0].get("chartVersion") or "") if history else ""


def render_helm_release(obj: JsonObject, context: RenderContext) -> Row:
    target = text(obj, "spec", "targetNamespace") or namespace_of(obj)
    cells = {"target_namespace": target, "chart": chart_of(obj), "revision": release_revision(obj)}
    return _reconciler_row(obj, context, cells)


def render_kustomization(obj: JsonObject, context: RenderContext) -> Row:
    source = field(obj, "spec", "sourceRef")
    source_text = f"{source.get('kind') or ''}/{source.get('name') or ''}" if isinstance(source, dict) else ""
    revision = text(obj, "status", "lastAppliedRevision") or text(obj, "status", "lastAttemptedRevision")
    cells = {"source": source_text, "path": text(obj, "spec", "path"), "revision": _short(revision)}
    return _reconciler_row(obj, context, cells)


def git_ref(repository: JsonObject) -> str:
    """The reference a GitRepository follows: its branch, tag, semver range, full ref name or (short) commit."""
    reference = field(repository, "spec", "ref")
    if not isinstance(reference, dict):
        return ""
    for key in ("name", "commit", "semver", "tag", "branch"):  # Flux's precedence, most specific first
        if reference.get(key):
            return str(reference[key])[:12] if key == "commit" else str(reference[key])
    return ""


def render_git_repository(obj: JsonObject, context: RenderContext) -> Row:
    cells = {
        "url": text(obj, "spec", "url"),
        "ref": git_ref(obj),
        "revision": _short(text(obj, "status", "artifact", "revision")),
    }
    return _reconciler_row(obj, context, cells)


HELM_RELEASES = Kind(
    id="helmreleases",
    title="Helm Releases",
    kind="HelmRelease",
    resource=ResourcePath("helm.toolkit.fluxcd.io", "v2", "helmreleases"),
    category="reconciler",
    columns=columns(TARGET_NAMESPACE, CHART, REVISION, namespaced=True) + (MESSAGE,),
    render=render_helm_release,
    short_names=("hr",),
    capabilities=RECONCILABLE,
    graph=GraphType("control"),
)

KUSTOMIZATIONS = Kind(
    id="kustomizations",
    title="Kustomizations",
    kind="Kustomization",
    resource=ResourcePath("kustomize.toolkit.fluxcd.io", "v1", "kustomizations"),
    category="reconciler",
    columns=columns(SOURCE, PATH, REVISION, namespaced=True) + (MESSAGE,),
    render=render_kustomization,
    short_names=("ks",),
    capabilities=RECONCILABLE,
    graph=GraphType("control"),
)

GIT_REPOSITORIES = Kind(
    id="gitrepositories",
    title="Git Repositories",
    kind="GitRepository",
    resource=ResourcePath("source.toolkit.fluxcd.io", "v1", "gitrepositories"),
    category="reconciler",
    columns=columns(URL, REF, REVISION, namespaced=True) + (MESSAGE,),
    render=render_git_repository,
    short_names=("gitrepo", "gitrepos"),
    capabilities=RECONCILABLE,
    graph=GraphType("control"),
)

KINDS = (HELM_RELEASES, KUSTOMIZATIONS, GIT_REPOSITORIES)
