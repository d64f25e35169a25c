"""Platform add-on kinds: Gateway API, Cilium policies, cert-manager, External Secrets and CloudNativePG."""

from __future__ import annotations

from console.kube.api import JsonObject, ResourcePath
from console.kube.kinds import Column, GraphType, Kind, RenderContext, Row, Tone
from console.kube.kinds_catalog._fields import count_column, field, items, number, relative_time, text
from console.kube.objects import namespace_of, parse_timestamp
from console.kube.rows import columns, object_row
from console.kube.tones import cnpg_state, condition

_TRUTH_TONES: dict[str, Tone] = {"True": "ok", "False": "err"}
_APPLIED: dict[bool, tuple[str, Tone]] = {True: ("Applied", "ok"), False: ("Failed", "err")}
_PENDING: tuple[str, Tone] = ("Pending", "warn")
_VALIDITY: dict[str, tuple[str, Tone]] = {"True": ("Valid", "ok"), "False": ("Invalid", "err")}


def _condition_status(obj: JsonObject, condition_type: str) -> str:
    """True/False/Unknown of a condition ("" when the controller has not written it)."""
    return str((condition(obj, condition_type) or {}).get("status") or "")


def _truth_tones(**cells: str) -> dict[str, Tone]:
    return {key: _TRUTH_TONES[value] for key, value in cells.items() if value in _TRUTH_TONES}


def listeners_of(gateway: JsonObject) -> str:
    """`http:80, https:443`: each listener's protocol (lower case) and port."""
    return ", ".join(
        f"{str(listener.get('protocol') or '').lower()}:{listener.get('port') or ''}"
        for listener in items(gateway, "spec", "listeners")
        if isinstance(listener, dict)
    )


def render_gateway(obj: JsonObject, context: RenderContext) -> Row:
    programmed = _condition_status(obj, "Programmed")
    accepted = _condition_status(obj, "Accepted")
    state: str
    tone: Tone
    if accepted == "False":
        state, tone = "NotAccepted", "err"
    elif programmed == "True":
        state, tone = "Programmed", "ok"
    elif programmed == "False":
        state, tone = str((condition(obj, "Programmed") or {}).get("reason") or "NotProgrammed"), "err"
    else:
        state, tone = "Pending", "warn"
    addresses = [str(entry.get("value")) for entry in items(obj, "status", "addresses") if isinstance(entry, dict)]
    cells = {
        "class": text(obj, "spec", "gatewayClassName"),
        "listeners": listeners_of(obj),
        "programmed": programmed,
        "address": ", ".join(addresses),
    }
    return object_row(
        obj, context, status=state, tone=tone, cells=cells, cell_tones=_truth_tones(programmed=programmed)
    )


def parents_of(route: JsonObject) -> str:
    """The route's parent Gateways: `name` in its own namespace, else `namespace/name`."""
    own = namespace_of(route)
    parents = []
    for reference in items(route, "spec", "parentRefs"):
        if isinstance(reference, dict) and reference.get("name"):
            namespace = str(reference.get("namespace") or own)
            parents.append(str(reference["name"]) if namespace == own else f"{namespace}/{reference['name']}")
    return ", ".join(parents)


def route_state(route: JsonObject) -> tuple[str, Tone]:
    """Accepted when every parent accepted the route and resolved its backends; else the first failing reason."""
    parents = [parent for parent in items(route, "status", "parents") if isinstance(parent, dict)]
    if not parents:
        return "Pending", "warn"
    for parent in parents:
        for entry in parent.get("conditions") or ():
            if isinstance(entry, dict) and entry.get("type") in ("Accepted", "ResolvedRefs"):
                if entry.get("status") == "False":
                    return str(entry.get("reason") or f"Not{entry['type']}"), "err"
    return "Accepted", "ok"


def render_http_route(obj: JsonObject, context: RenderContext) -> Row:
    state, tone = route_state(obj)
    hostnames = ", ".join(str(name) for name in items(obj, "spec", "hostnames"))
    return object_row(obj, context, status=state, tone=tone, cells={"hostnames": hostnames, "parents": parents_of(obj)})


def selector_text(selector: object) -> str:
    """A label selector as `k=v, key In (a,b)`; an empty selector selects every endpoint."""
    if not isinstance(selector, dict):
        return ""
    labels = selector.get("matchLabels")
    terms = [f"{key}={value}" for key, value in sorted(labels.items())] if isinstance(labels, dict) else []
    for expression in selector.get("matchExpressions") or ():
        if isinstance(expression, dict):
            values = ",".join(str(value) for value in expression.get("values") or ())
            terms.append(f"{expression.get('key')} {expression.get('operator')}" + (f" ({values})" if values else ""))
    return ", ".join(terms) or "(all endpoints)"


def render_cilium_policy(obj: JsonObject, context: RenderContext) -> Row:
    valid = _condition_status(obj, "Valid")
    state, tone = _VALIDITY.get(valid, ("Unknown", "muted"))
    selector = field(obj, "spec", "endpointSelector")
    if selector is None:
        selector = field(obj, "spec", "nodeSelector")
    cells = {"endpoint_selector": selector_text(selector), "valid": valid}
    return object_row(obj, context, status=state, tone=tone, cells=cells, cell_tones=_truth_tones(valid=valid))


def certificate_state(certificate: JsonObject) -> tuple[str, Tone]:
    """Ready; Issuing while cert-manager works on it; Failed when issuance failed; else Ready=False's reason."""
    ready = condition(certificate, "Ready") or {}
    issuing = condition(certificate, "Issuing") or {}
    if ready.get("status") == "True":
        return "Ready", "ok"
    if issuing.get("status") == "True":
        return "Issuing", "warn"
    if issuing.get("status") == "False" and str(issuing.get("reason") or "").lower() == "failed":
        return "Failed", "err"
    if ready.get("status") == "False":
        return str(ready.get("reason") or "NotReady"), "err"
    return "Pending", "warn"


def render_certificate(obj: JsonObject, context: RenderContext) -> Row:
    state, tone = certificate_state(obj)
    ready = _condition_status(obj, "Ready")
    not_after = parse_timestamp(field(obj, "status", "notAfter"))
    cell_tones = _truth_tones(ready=ready)
    if not_after is not None:
        left = (not_after - context.now).total_seconds()
        if left < 14 * 86400:
            cell_tones["expires"] = "err" if left <= 0 else "warn"
    return object_row(
        obj,
        context,
        status=state,
        tone=tone,
        cells={
            "ready": ready,
            "secret": text(obj, "spec", "secretName"),
            "issuer": text(obj, "spec", "issuerRef", "name"),
            "expires": relative_time(not_after, context.now),
        },
        sort_keys={"expires": not_after.timestamp() if not_after else float("inf")},
        cell_tones=cell_tones,
    )


def render_external_secret(obj: JsonObject, context: RenderContext) -> Row:
    ready = condition(obj, "Ready") or {}
    reason = str(ready.get("reason") or "")
    tone: Tone = _TRUTH_TONES.get(str(ready.get("status")), "warn")
    cells = {"store": text(obj, "spec", "secretStoreRef", "name"), "refresh": text(obj, "spec", "refreshInterval")}
    return object_row(obj, context, status=reason or "Pending", tone=tone, cells=cells)


def render_cnpg_cluster(obj: JsonObject, context: RenderContext) -> Row:
    phase = text(obj, "status", "phase")
    state, tone = cnpg_state(phase) if phase else ("Reconciling", "warn")
    instances, ready = field(obj, "status", "instances"), field(obj, "status", "readyInstances")
    if instances is None:
        instances = field(obj, "spec", "instances")
    return object_row(
        obj,
        context,
        status=phase or "Setting up",
        tone=tone,
        cells={
            "instances": "" if instances is None else str(instances),
            "ready_instances": "" if ready is None else str(ready),
            "primary": text(obj, "status", "currentPrimary"),
            "state": state,
        },
        sort_keys={"instances": number(instances), "ready_instances": number(ready)},
        cell_tones={"state": tone, **({"ready_instances": "warn"} if number(ready) < number(instances) else {})},
    )


def render_cnpg_database(obj: JsonObject, context: RenderContext) -> Row:
    applied = field(obj, "status", "applied")
    state, tone = _APPLIED[applied] if isinstance(applied, bool) else _PENDING
    cells = {
        "cluster": text(obj, "spec", "cluster", "name"),
        "database": text(obj, "spec", "name"),
        "applied": text(obj, "status", "applied"),
        "message": text(obj, "status", "message"),
    }
    return object_row(
        obj, context, status=state, tone=tone, cells=cells, cell_tones=_truth_tones(applied=cells["applied"])
    )


_GATEWAY_API = "gateway.networking.k8s.io"
VALID = Column("valid", "VALID")
ENDPOINT_SELECTOR = Column("endpoint_selector", "ENDPOINT SELECTOR")

GATEWAYS = Kind(
    id="gateways",
    title="Gateways",
    kind="Gateway",
    resource=ResourcePath(_GATEWAY_API, "v1", "gateways"),
    category="network",
    columns=columns(
        Column("class", "CLASS"),
        Column("listeners", "LISTENERS"),
        Column("programmed", "PROGRAMMED"),
        Column("address", "ADDRESS"),
        namespaced=True,
    ),
    render=render_gateway,
    short_names=("gtw",),
    graph=GraphType("network"),
)
HTTP_ROUTES = Kind(
    id="httproutes",
    title="HTTP Routes",
    kind="HTTPRoute",
    resource=ResourcePath(_GATEWAY_API, "v1", "httproutes"),
    category="network",
    columns=columns(Column("hostnames", "HOSTNAMES"), Column("parents", "PARENTS"), namespaced=True),
    render=render_http_route,
    short_names=("httproute",),
    graph=GraphType("network"),
)
CILIUM_NETWORK_POLICIES = Kind(
    id="ciliumnetworkpolicies",
    title="Cilium Network Policies",
    kind="CiliumNetworkPolicy",
    resource=ResourcePath("cilium.io", "v2", "ciliumnetworkpolicies"),
    category="network",
    columns=columns(ENDPOINT_SELECTOR, VALID, namespaced=True),
    render=render_cilium_policy,
    short_names=("cnp", "ciliumnp"),
    graph=GraphType("network"),
)
CILIUM_CLUSTERWIDE_NETWORK_POLICIES = Kind(
    id="ciliumclusterwidenetworkpolicies",
    title="Cilium Clusterwide Network Policies",
    kind="CiliumClusterwideNetworkPolicy",
    resource=ResourcePath("cilium.io", "v2", "ciliumclusterwidenetworkpolicies"),
    category="network",
    columns=columns(ENDPOINT_SELECTOR, VALID, namespaced=False),
    render=render_cilium_policy,
    short_names=("ccnp",),
)
CERTIFICATES = Kind(
    id="certificates",
    title="Certificates",
    kind="Certificate",
    resource=ResourcePath("cert-manager.io", "v1", "certificates"),
    category="config",
    columns=columns(
        Column("ready", "READY"),
        Column("secret", "SECRET"),
        Column("issuer", "ISSUER"),
        Column("expires", "EXPIRES", numeric=True),
        namespaced=True,
    ),
    render=render_certificate,
    short_names=("cert", "certs"),
    graph=GraphType("config"),
)
EXTERNAL_SECRETS = Kind(
    id="externalsecrets",
    title="External Secrets",
    kind="ExternalSecret",
    resource=ResourcePath("external-secrets.io", "v1beta1", "externalsecrets"),
    category="config",
    columns=columns(Column("store", "STORE"), Column("refresh", "REFRESH INTERVAL"), namespaced=True),
    render=render_external_secret,
    short_names=("es",),
    graph=GraphType("config"),
)
CNPG_CLUSTERS = Kind(
    id="cnpg-clusters",
    title="Postgres Clusters",
    kind="Cluster",
    resource=ResourcePath("postgresql.cnpg.io", "v1", "clusters"),
    category="storage",
    columns=columns(
        count_column("instances", "INSTANCES"),
        count_column("ready_instances", "READY"),
        Column("primary", "PRIMARY"),
        Column("state", "STATE", "status"),
        namespaced=True,
    ),
    render=render_cnpg_cluster,
    short_names=("cnpg", "pgc"),
    graph=GraphType("data", "Database"),
)
CNPG_DATABASES = Kind(
    id="cnpg-databases",
    title="Postgres Databases",
    kind="Database",
    resource=ResourcePath("postgresql.cnpg.io", "v1", "databases"),
    category="storage",
    columns=columns(
        Column("cluster", "CLUSTER"),
        Column("database", "DATABASE"),
        Column("applied", "APPLIED"),
        Column("message", "MESSAGE"),
        namespaced=True,
    ),
    render=render_cnpg_database,
    short_names=("pgdb",),
    graph=GraphType("data", "Postgres Database"),
)

KINDS = (
    GATEWAYS,
    HTTP_ROUTES,
    CILIUM_NETWORK_POLICIES,
    CILIUM_CLUSTERWIDE_NETWORK_POLICIES,
    CERTIFICATES,
    EXTERNAL_SECRETS,
    CNPG_CLUSTERS,
    CNPG_DATABASES,
)
