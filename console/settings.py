"""Every setting of the console, read once from environment variables (documented in the README)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from error


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise ValueError(f"{name} must be a number, got {raw!r}") from error


# The kinds nearly every page reads (lists, chips, the scope picker, detail tabs) and the CRDs the kind
# catalog is built from: watched from start so nobody waits for their first list.
DEFAULT_PREWARM_RESOURCES = (
    "v1/namespaces",
    "v1/pods",
    "v1/nodes",
    "apps/v1/deployments",
    "v1/events",
    "apiextensions.k8s.io/v1/customresourcedefinitions",
)


def _resource_ids(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    ids = tuple(part.strip().strip("/") for part in raw.split(",") if part.strip())
    for resource_id in ids:
        parts = resource_id.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"{name}: a resource id looks like v1/pods or apps/v1/deployments, not {resource_id!r}")
    return ids


_NAMESPACE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


def _namespace(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip() or default
    if len(raw) > 63 or not _NAMESPACE_NAME.fullmatch(raw):
        raise ValueError(
            f"{name} must be a namespace name (lowercase letters, digits and '-', at most 63 characters), got {raw!r}"
        )
    return raw


def _switch(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("on", "off"):
        raise ValueError(f"{name} must be 'on' or 'off', got {raw!r}")
    return raw == "on"


def _log_format(name: str, default: str) -> str:
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in ("json", "text"):
        raise ValueError(f"{name} must be 'json' or 'text', got {raw!r}")
    return raw


def _secret(name: str) -> str:
    """A secret from `<name>_FILE` (a mounted Secret: kept out of the environment) or else `<name>`."""
    path = os.environ.get(f"{name}_FILE", "").strip()
    if not path:
        return os.environ.get(name, "").strip()
    try:
        with open(path, encoding="utf-8") as file:
            return file.read().strip()
    except OSError as error:
        raise ValueError(f"{name}_FILE names a file that cannot be read: {path} ({error.strerror})") from error


def _database_url(state_dir: str) -> str:
    raw = os.environ.get("CONSOLE_DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite:///{state_dir}/console.db"
    scheme, separator, rest = raw.partition("://")
    scheme = scheme if separator else ""
    if scheme in ("postgres", "postgresql"):  # psycopg 3 is the PostgreSQL driver the console ships
        scheme = "postgresql+psycopg"
    if scheme not in ("sqlite", "postgresql+psycopg") or rest in ("", "/"):
        # never echo the URL: it may carry a password
        raise ValueError(
            f"CONSOLE_DATABASE_URL must be sqlite:///<path> or postgresql://user:password@host/database, "
            f"not a {scheme or 'schemeless'} URL"
        )
    return f"{scheme}://{rest}"


def _legacy_audit_db(state_dir: str) -> str:
    """The file of the audit log before the console database: `CONSOLE_AUDIT_DB_URL`'s, else `<state_dir>/audit.db`."""
    raw = os.environ.get("CONSOLE_AUDIT_DB_URL", "").strip()
    if raw.startswith("sqlite:///") and raw != "sqlite:///":
        return raw.removeprefix("sqlite:///")
    return f"{state_dir}/audit.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """The console's configuration; one instance per process."""

    # Path of the kubeconfig to use; empty means in-cluster service account, then ~/.kube/config.
    kubeconfig: str
    # kubeconfig context to use; empty means the current context.
    kube_context: str
    # Display name of the Sovereign in the header.
    sovereign_name: str
    # The Sovereign's FQDN, shown in the header pill.
    sovereign_fqdn: str
    # Cluster id stamped on cached objects; drives the REGION column.
    cluster_id: str
    # Port the console serves on (frontend and backend share it).
    port: int
    # Seconds a kind's shared watch stays open after its last subscriber left.
    watch_grace_seconds: float
    # Page size used when listing from the API server.
    list_page_size: int
    # Longest pause between reconnect attempts of a broken watch.
    watch_max_backoff_seconds: float
    # How long a list may go unanswered before its kind says "unreachable", and the longest an event waits
    # for a kind's first list.
    watch_sync_timeout_seconds: float
    # Kinds watched from start for the life of the process (resource ids: `v1/pods`, `apps/v1/deployments`).
    prewarm_resources: tuple[str, ...]
    # Keycloak realm URL (issuer); sign-in is impossible without it.
    oidc_issuer: str
    # The console's client at Keycloak.
    oidc_client_id: str
    oidc_client_secret: str
    # The console's own origin as browsers reach it; the OIDC redirect URI is derived from it.
    public_url: str
    # Signs the short-lived cookie that carries OIDC state/nonce/PKCE during sign-in.
    session_secret: str
    # Where embedded state lives (the SQLite session store, the console database by default).
    state_dir: str
    # The console database (audit log, score history; SQLAlchemy URL): `sqlite:///<path>` or
    # `postgresql+psycopg://…` (`postgresql://` is read as that); default `sqlite:///<state_dir>/console.db`.
    database_url: str
    # The audit log's SQLite file from before the console database, imported once at start (then renamed
    # `<file>.imported`): the file of the old `CONSOLE_AUDIT_DB_URL`, else `<state_dir>/audit.db`.
    legacy_audit_db: str
    # Origins allowed to frame the console (embedded mode); empty: only the console itself.
    embed_allowed_origins: tuple[str, ...]
    # How Kubernetes calls are made for a person: "impersonate" (default) or "token".
    kube_auth: str
    # The namespace the console runs in: its UserAccess grants live there, and the grant reconciler's Lease.
    console_namespace: str = "catalyst-system"
    # Whether the backend runs the leader-elected grant reconciler (`console reconcile` runs it regardless).
    reconciler: bool = True
    # The backend's log lines: "json" (one object per line; `console run`'s default) or "text" (`console demo`).
    log_format: str = "text"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings from the environment (cached: call `get_settings.cache_clear()` in tests)."""
    fqdn = os.environ.get("CONSOLE_SOVEREIGN_FQDN", "omantel.openova.cloud").strip()
    port = _int("CONSOLE_PORT", 3000)
    kube_auth = os.environ.get("CONSOLE_KUBE_AUTH", "impersonate").strip().lower() or "impersonate"
    if kube_auth not in ("impersonate", "token"):
        raise ValueError(f"CONSOLE_KUBE_AUTH must be 'impersonate' or 'token', got {kube_auth!r}")
    origins = os.environ.get("EMBED_ALLOWED_ORIGINS", "")
    state_dir = os.environ.get("CONSOLE_STATE_DIR", "var/console").strip()
    return Settings(
        kubeconfig=os.environ.get("CONSOLE_KUBECONFIG", os.environ.get("KUBECONFIG", "")).strip(),
        kube_context=os.environ.get("CONSOLE_KUBE_CONTEXT", "").strip(),
        sovereign_name=os.environ.get("CONSOLE_SOVEREIGN_NAME", "OpenOva Sovereign").strip(),
        sovereign_fqdn=fqdn,
        cluster_id=os.environ.get("CONSOLE_CLUSTER_ID", f"sovereign-{fqdn}").strip(),
        port=port,
        watch_grace_seconds=_float("CONSOLE_WATCH_GRACE_SECONDS", 30.0),
        list_page_size=_int("CONSOLE_LIST_PAGE_SIZE", 500),
        watch_max_backoff_seconds=_float("CONSOLE_WATCH_MAX_BACKOFF_SECONDS", 30.0),
        watch_sync_timeout_seconds=_float("CONSOLE_WATCH_SYNC_TIMEOUT_SECONDS", 10.0),
        prewarm_resources=_resource_ids("CONSOLE_PREWARM_KINDS", DEFAULT_PREWARM_RESOURCES),
        oidc_issuer=os.environ.get("OIDC_ISSUER", "").strip().rstrip("/"),
        oidc_client_id=os.environ.get("OIDC_CLIENT_ID", "sovereign-console").strip(),
        oidc_client_secret=_secret("OIDC_CLIENT_SECRET"),
        public_url=os.environ.get("CONSOLE_PUBLIC_URL", f"http://localhost:{port}").strip().rstrip("/"),
        session_secret=_secret("CONSOLE_SESSION_SECRET"),
        state_dir=state_dir,
        database_url=_database_url(state_dir),
        legacy_audit_db=_legacy_audit_db(state_dir),
        embed_allowed_origins=tuple(origin.strip().rstrip("/") for origin in origins.split(",") if origin.strip()),
        kube_auth=kube_auth,
        console_namespace=_namespace("CONSOLE_NAMESPACE", "catalyst-system"),
        reconciler=_switch("CONSOLE_RECONCILER", True),
        log_format=_log_format("CONSOLE_LOG_FORMAT", "text"),
    )
