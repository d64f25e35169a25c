"""The header's scope picker (a namespace, or an Organization or Environment), shared by every page."""

from __future__ import annotations

import reflex as rx

from console.kube import runtime
from console.kube.api import ResourcePath
from console.kube.scopes import SCOPE_LABELS, namespaces_in_scope, scope_choices
from console.state.timing import timed_event
from console.state.wakeups import wake

NAMESPACES = ResourcePath("", "v1", "namespaces")


class ScopeState(rx.State):
    """`scope` is "" (everything), "namespace:<name>", "organization:<slug>" or "environment:<name>"."""

    scope: str = rx.LocalStorage("", name="sov-scope", sync=True)
    choices: list[dict[str, str]] = []  # {"value", "label", "group"} for the picker

    @timed_event
    async def load_choices(self):
        """Offer the namespaces, Organizations and Environments the cluster has (labels on namespaces)."""
        try:
            cache = runtime.current().cache
        except runtime.KubeUnavailable:
            return
        async with cache.subscribe(NAMESPACES) as watch:
            await watch.wait_synced()
            self.choices = scope_choices(watch.objects())

    @timed_event
    def choose(self, value: str):
        self.scope = value if value != "all" else ""
        wake(self.router.session.client_token)


async def scope_filter(scope: str) -> tuple[str, frozenset[str] | None]:
    """(namespace for the query, namespaces an Organization/Environment stands for) of a scope value."""
    kind, _, value = scope.partition(":")
    if kind == "namespace":
        return value, None
    if kind in SCOPE_LABELS:
        cache = runtime.current().cache
        async with cache.subscribe(NAMESPACES) as watch:
            await watch.wait_synced()
            return "", namespaces_in_scope(watch.objects(), kind, value)
    return "", None
