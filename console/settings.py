"""Every setting of the console, read once from environment variables (documented in the README)."""

from __future__ import annotations

import os
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the settings from the environment (cached: call `get_settings.cache_clear()` in tests)."""
    fqdn = os.environ.get("CONSOLE_SOVEREIGN_FQDN", "omantel.openova.cloud").strip()
    return Settings(
        kubeconfig=os.environ.get("CONSOLE_KUBECONFIG", os.environ.get("KUBECONFIG", "")).strip(),
        kube_context=os.environ.get("CONSOLE_KUBE_CONTEXT", "").strip(),
        sovereign_name=os.environ.get("CONSOLE_SOVEREIGN_NAME", "OpenOva Sovereign").strip(),
        sovereign_fqdn=fqdn,
        cluster_id=os.environ.get("CONSOLE_CLUSTER_ID", f"sovereign-{fqdn}").strip(),
        port=_int("CONSOLE_PORT", 3000),
        watch_grace_seconds=_float("CONSOLE_WATCH_GRACE_SECONDS", 30.0),
        list_page_size=_int("CONSOLE_LIST_PAGE_SIZE", 500),
        watch_max_backoff_seconds=_float("CONSOLE_WATCH_MAX_BACKOFF_SECONDS", 30.0),
    )
