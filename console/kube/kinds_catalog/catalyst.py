"""Catalyst kinds (spec crds.md, rbac.md): applications, environments, organizations, continuums, useraccesses.

Columns follow each CRD's printer columns; STATUS is the object's phase (or its conditions where it has none).
"""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import count_column, field, items, text
from console.kube.rows import columns, object_row
from console.kube.tones import condition, tone_for_state

PLACEMENT = Column("placement", "PLACEMENT")


def _phase_row(obj: JsonObject, context: RenderContext, cells: dict[str, str]) -> Row:
    """A row whose STATUS is `status.phase` (Pending until the controller writes one)."""
    phase = text(obj, "status", "phase") or "Pending"
    return object_row(obj, context, status=phase, tone=tone_for_state(phase), cells=cells)


def application_placement(application: JsonObject) -> str:
    """Where the application runs: the resolved `status.placement.vcluster`, else what the spec asks for."""
    resolved = text(application, "status", "placement", "vcluster")
    if resolved:
        return resolved
    wanted = field(application, "spec", "placement")
    if isinstance(wanted, dict):
        return str(wanted.get("vcluster") or wanted.get("mode") or "")
    return "" if wanted is None else str(wanted)


def render_application(obj: JsonObject, context: RenderContext) -> Row:
    cells = {
        "blueprint": text(obj, "spec", "blueprintRef", "name"),
        "version": text(obj, "spec", "blueprintRef", "version"),
        "environment": text(obj, "spec", "environmentRef"),
        "placement": application_placement(obj),
    }
    return _phase_row(obj, context, cells)


def render_environment(obj: JsonObject, context: RenderContext) -> Row:
    cells = {
        "organization": text(obj, "spec", "organizationRef"),
        "env_type": text(obj, "spec", "envType"),
        "placement": text(obj, "spec", "placement"),
    }
    return _phase_row(obj, context, cells)


def ready_state(obj: JsonObject) -> tuple[str, Tone]:
    """Ready / the Ready=False reason / Pending, from the Ready condition."""
    ready = condition(obj, "Ready") or {}
    if ready.get("status") == "True":
        return "Ready", "ok"
    if ready.get("status") == "False":
        return str(ready.get("reason") or "NotReady"), "err"
    return "Pending", "warn"


def render_organization(obj: JsonObject, context: RenderContext) -> Row:
    state, tone = ready_state(obj)
    vcluster = text(obj, "status", "vcluster", "phase")
    return object_row(
        obj,
        context,
        status=state,
        tone=tone,
        cells={
            "slug": text(obj, "spec", "slug"),
            "org_kind": text(obj, "spec", "kind"),
            "tier": text(obj, "spec", "tier"),
            "billing": text(obj, "spec", "billingMode"),
            "sovereign": text(obj, "spec", "sovereignRef"),
            "vcluster": vcluster,
        },
        cell_tones={"vcluster": tone_for_state(vcluster)} if vcluster else {},
    )


def render_continuum(obj: JsonObject, context: RenderContext) -> Row:
    cells = {
        "application": text(obj, "spec", "applicationRef"),
        "primary": text(obj, "status", "primaryRegion") or text(obj, "spec", "primaryRegion"),
        "lease": text(obj, "status", "leaseHolder"),
        "lag": text(obj, "status", "maxReplicationLag"),
    }
    return _phase_row(obj, context, cells)


def user_of(grant: JsonObject) -> str:
    """Who a UserAccess grants to: the email, else the Keycloak subject, else the groups."""
    user = field(grant, "spec", "user")
    if not isinstance(user, dict):
        return ""
    groups = items(grant, "spec", "user", "keycloakGroups")
    return str(user.get("email") or user.get("keycloakSubject") or ", ".join(str(group) for group in groups))


def scopes_of(grant: JsonObject) -> str:
    """The grant's scopes as `key=value` joined by commas ("" for an unscoped, cluster-wide grant)."""
    return ", ".join(
        f"{scope.get('key')}={scope.get('value')}"
        for scope in items(grant, "spec", "scopes")
        if isinstance(scope, dict)
    )


def grant_state(grant: JsonObject) -> tuple[str, Tone]:
    """Reconciled when every condition is True; else the first failing condition's reason; Pending before any."""
    conditions = [entry for entry in items(grant, "status", "conditions") if isinstance(entry, dict)]
    for entry in conditions:
        if entry.get("status") == "False":
            return str(entry.get("reason") or f"{entry.get('type')} failed"), "err"
    if conditions and all(entry.get("status") == "True" for entry in conditions):
        return "Reconciled", "ok"
    return "Pending", "warn"


def render_user_access(obj: JsonObject, context: RenderContext) -> Row:
    state, tone = grant_state(obj)
    bindings = len(items(obj, "status", "bindings"))
    tier = text(obj, "spec", "tier") or str(field(obj, "metadata", "labels", "catalyst.openova.io/tier") or "")
    return object_row(
        obj,
        context,
        status=state,
        tone=tone,
        cells={"user": user_of(obj), "tier": tier, "scopes": scopes_of(obj), "bindings": str(bindings)},
        sort_keys={"bindings": float(bindings)},
    )


APPLICATIONS = Kind(
    id="applications",
    title="Applications",
    kind="Application",
    resource=ResourcePath("apps.openova.io", "v1alpha1", "applications"),
    category="workload",
    columns=columns(
        Column("blueprint", "BLUEPRINT"),
        Column("version", "VERSION"),
        Column("environment", "ENVIRONMENT"),
        PLACEMENT,
        namespaced=True,
    ),
    render=render_application,
    short_names=("app", "apps"),
    graph=GraphType("control"),
)
ENVIRONMENTS = Kind(
    id="environments",
    title="Environments",
    kind="Environment",
    resource=ResourcePath("catalyst.openova.io", "v1alpha1", "environments"),
    category="config",
    columns=columns(Column("organization", "ORG"), Column("env_type", "TYPE"), PLACEMENT, namespaced=False),
    render=render_environment,
    short_names=("env", "envs"),
    graph=GraphType("control"),
)
ORGANIZATIONS = Kind(
    id="organizations",
    title="Organizations",
    kind="Organization",
    resource=ResourcePath("orgs.openova.io", "v1alpha1", "organizations"),
    category="config",
    columns=columns(
        Column("slug", "SLUG"),
        Column("org_kind", "KIND"),
        Column("tier", "TIER"),
        Column("billing", "BILLING"),
        Column("sovereign", "SOVEREIGN"),
        Column("vcluster", "VCLUSTER"),
        namespaced=False,
    ),
    render=render_organization,
    short_names=("org", "orgs"),
    graph=GraphType("control"),
)
CONTINUUMS = Kind(
    id="continuums",
    title="Continuums",
    kind="Continuum",
    resource=ResourcePath("dr.openova.io", "v1alpha1", "continuums"),
    category="reconciler",
    columns=columns(
        Column("application", "APPLICATION"),
        Column("primary", "PRIMARY"),
        Column("lease", "LEASE"),
        Column("lag", "LAG"),
        namespaced=True,
    ),
    render=render_continuum,
    short_names=("dr",),
    graph=GraphType("control"),
)
USER_ACCESSES = Kind(
    id="useraccesses",
    title="User Accesses",
    kind="UserAccess",
    resource=ResourcePath("access.openova.io", "v1alpha1", "useraccesses"),
    category="config",
    columns=columns(
        Column("user", "USER"),
        Column("tier", "TIER"),
        Column("scopes", "SCOPES"),
        count_column("bindings", "BINDINGS"),
        namespaced=True,
    ),
    render=render_user_access,
    short_names=("ua", "uas"),
    graph=GraphType("config"),
)

KINDS = (APPLICATIONS, ENVIRONMENTS, ORGANIZATIONS, CONTINUUMS, USER_ACCESSES)
