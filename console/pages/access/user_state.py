"""`/users/<name>`: one grant in full — spec, status conditions, bindings — live; owners edit tier and scopes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from console.kube.kinds import object_link
from console.pages.access import grant_viewer
from console.pages.access.grant_viewer import (
    CLUSTER_ROLES,
    USERACCESSES,
    AccessProblem,
    follow_watches,
    tier_enforced,
    writer_for,
)
from console.pages.access.users_views import (
    add_scope,
    chip_scopes,
    conditions_rows,
    scope_chip,
    scope_texts,
    scopes_of,
    tier_of,
)
from console.rbac.grants import UPDATED, GrantRefused, update_grant
from console.rbac.matrix import condition_summary
from console.rbac.scopes import Scope
from console.rbac.tiers import TIERS
from console.state.session import SessionState
from console.state.wakeups import wake

TIER_NAMES = tuple(tier.name for tier in TIERS)


def _bindings(status: Mapping[str, Any], kinds: Mapping) -> list[dict[str, str]]:
    rows = []
    for binding in status.get("bindings") or []:
        if not isinstance(binding, Mapping):
            continue
        kind, namespace, name = (str(binding.get(key) or "") for key in ("kind", "namespace", "name"))
        href = object_link(kinds, kind, "rbac.authorization.k8s.io/v1", namespace, name)
        rows.append({"kind": kind, "namespace": namespace or "(cluster)", "name": name, "href": href})
    return rows


class UserState(rx.State):
    """One grant as its page shows it, and the owner's edit of it."""

    loading: bool = True
    checked: bool = False
    gate: str = ""
    missing: str = ""  # the grant is not there (revoked, or never was)
    problem: str = ""
    can_write: bool = False
    name: str = ""
    who: str = ""
    subject: str = ""
    email: str = ""
    groups: str = ""
    sovereign_ref: str = ""
    tier: str = ""
    tier_role: str = ""
    scopes: list[dict[str, str]] = []
    condition: str = ""
    condition_tone: str = ""
    conditions: list[dict[str, str]] = []
    bindings: list[dict[str, str]] = []
    created: str = ""
    edit_tier: str = ""
    edit_scopes: list[dict[str, str]] = []
    scope_key: str = "application"
    scope_value: str = ""
    scope_error: str = ""
    dirty: bool = False  # the owner changed the edit form: live updates leave it alone
    busy: bool = False
    result: str = ""
    result_tone: str = ""
    _generation: int = 0

    @rx.event
    def open(self):
        self._generation += 1
        name = self.router.url.path.rstrip("/").rpartition("/")[2]
        if name == "new":
            return rx.redirect("/rbac/grant", replace=True)
        self.name, self.loading, self.checked, self.gate, self.missing, self.problem = name, True, False, "", "", ""
        self.result, self.dirty, self.scope_error, self.scope_value = "", False, "", ""
        return UserState.follow

    def _show(self, obj: Mapping[str, Any], kinds: Mapping, enforced: Mapping[str, list[Scope]]) -> None:
        spec, status = obj.get("spec") or {}, obj.get("status") or {}
        user = spec.get("user") or {}
        self.subject, self.email = str(user.get("keycloakSubject") or ""), str(user.get("email") or "")
        self.groups = ", ".join(str(group) for group in user.get("keycloakGroups") or ())
        self.who = self.email or self.subject or self.groups
        self.sovereign_ref, self.tier = str(spec.get("sovereignRef") or ""), tier_of(obj)
        self.tier_role = str(spec.get("tierRoleRef") or "")
        self.scopes = [{"text": text, "enforced": "1" if forced else ""} for text, forced in scope_texts(obj, enforced)]
        self.condition, self.condition_tone = condition_summary(status)
        self.conditions, self.bindings = conditions_rows(status), _bindings(status, kinds)
        self.created = str((obj.get("metadata") or {}).get("creationTimestamp") or "")
        if not self.dirty:
            self.edit_tier = self.tier if self.tier in TIER_NAMES else "viewer"
            self.edit_scopes = [scope_chip(Scope(key, value)) for key, value in scopes_of(spec) if key and value]

    @rx.event
    def set_edit_tier(self, tier: str | list[str]):
        tier = tier if isinstance(tier, str) else "".join(tier[:1])
        if tier in TIER_NAMES:
            self.edit_tier, self.dirty, self.result = tier, True, ""

    @rx.event
    def set_scope_key(self, key: str):
        self.scope_key, self.scope_error = key, ""

    @rx.event
    def set_scope_value(self, value: str):
        self.scope_value, self.scope_error = value[:253], ""

    @rx.event
    def add_scope(self):
        self.edit_scopes, self.scope_error = add_scope(self.edit_scopes, self.scope_key, self.scope_value)
        if not self.scope_error:
            self.scope_value, self.dirty, self.result = "", True, ""

    @rx.event
    def remove_scope(self, key: str):
        self.edit_scopes = [chip for chip in self.edit_scopes if chip["key"] != key]
        self.dirty, self.result = True, ""

    @rx.event
    def discard(self):
        self.dirty, self.result, self.scope_error = False, "", ""
        return UserState.open

    @rx.event
    async def save(self):
        """Apply the edited tier and scopes, as the person — if their session says they are an owner now."""
        self.busy, self.result = True, ""
        yield
        try:
            viewer, refusal = await writer_for(self.router.headers.cookie, UPDATED, [self.name])
            if viewer is None or refusal:
                self.result, self.result_tone = refusal, "error"
                return
            outcome = await update_grant(
                viewer.api,
                name=self.name,
                namespace=grant_viewer.grants_namespace(),
                tier=self.edit_tier,
                scopes=chip_scopes(self.edit_scopes),
                audit=grant_viewer.audit(),
                actor=viewer.actor,
            )
        except (GrantRefused, AccessProblem) as problem:
            self.result, self.result_tone = str(problem), "error"
            return
        finally:
            self.busy = False
        if outcome.applied == "error":
            self.result, self.result_tone = outcome.message, "error"
            return
        self.result, self.result_tone, self.dirty = outcome.message[:1].upper() + outcome.message[1:], "ok", False
        wake(self.router.session.client_token)  # the page shows the grant as written, not the form
        yield rx.toast.success(f"Saved {self.name}")

    @rx.event(background=True)
    async def follow(self):
        """Show the grant as it is now whenever grants change, until the tab leaves or opens another one."""
        async with self:
            generation, name = self._generation, self.name
            client_token, cookie_header = self.router.session.client_token, self.router.headers.cookie
        namespace = grant_viewer.grants_namespace()
        try:
            async for followed in follow_watches(client_token, cookie_header, [USERACCESSES, CLUSTER_ROLES]):
                if followed is None:
                    yield SessionState.check
                    return
                viewer, [watch, roles] = followed
                if not viewer.may_see:
                    async with self:
                        if self._generation == generation:
                            self.gate, self.checked, self.loading = viewer.read_gate(), True, False
                    return
                visible = await viewer.visible_grants(watch)
                obj = next(
                    (
                        o
                        for o in visible
                        if (o.get("metadata") or {}).get("namespace") == namespace
                        and (o.get("metadata") or {}).get("name") == name
                    ),
                    None,
                )
                kinds = await viewer.kube.catalog.kinds()
                async with self:
                    if self._generation != generation:
                        return
                    self.checked, self.can_write, self.loading = True, viewer.may_write, watch.loading
                    if obj is None:
                        self.missing = "" if watch.loading else f"There is no grant named {name} (revoked?)."
                        continue
                    self.missing = ""
                    self._show(obj, kinds, tier_enforced(roles))
        except AccessProblem as problem:
            async with self:
                self.problem, self.loading, self.checked = str(problem), False, True
