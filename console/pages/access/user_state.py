"""`/users/<name>`: one grant in full — spec, status conditions, bindings — live; owners edit tier and scopes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import reflex as rx

from console.kube.api import JsonObject
from console.kube.kinds import object_link
from console.pages.access import grant_viewer
from console.pages.access.grant_viewer import CLUSTER_ROLES, USERACCESSES, AccessProblem, tier_enforced, writer_for
from console.pages.access.live_grants_state import LiveGrantsState
from console.pages.access.scope_input_state import ScopeInputState
from console.pages.access.users_views import chip_scopes, conditions_rows, scope_chip, scope_texts, scopes_of, tier_of
from console.rbac.grants import UPDATED, GrantRefused, update_grant
from console.rbac.matrix import condition_summary
from console.rbac.scopes import Scope
from console.rbac.tiers import TIERS
from console.state.session import SessionState
from console.state.timing import timed_event
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


def _grant_named(grants: list[JsonObject], namespace: str, name: str) -> JsonObject | None:
    return next(
        (
            grant
            for grant in grants
            if (grant.get("metadata") or {}).get("namespace") == namespace
            and (grant.get("metadata") or {}).get("name") == name
        ),
        None,
    )


class UserState(LiveGrantsState, ScopeInputState, rx.State):
    """One grant as its page shows it, and the owner's edit of it."""

    missing: str = ""  # the grant is not there (revoked, or never was)
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
    dirty: bool = False  # the owner changed the edit form: live updates leave it alone
    busy: bool = False
    result: str = ""
    result_tone: str = ""

    @timed_event
    def open(self):
        self._restart()  # first: a redirected visit stops the last one's loop too
        name = self.router.url.path.rstrip("/").rpartition("/")[2]
        if name == "new":
            return rx.redirect("/rbac/grant", replace=True)
        self.name, self.missing = name, ""
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

    @timed_event
    def set_edit_tier(self, tier: str | list[str]):
        tier = tier if isinstance(tier, str) else "".join(tier[:1])
        if tier in TIER_NAMES:
            self.edit_tier, self.dirty, self.result = tier, True, ""

    @timed_event
    def add_scope(self):
        self.edit_scopes = self._with_typed_scope(self.edit_scopes)
        if not self.scope_error:
            self.dirty, self.result = True, ""

    @timed_event
    def remove_scope(self, key: str):
        self.edit_scopes = [chip for chip in self.edit_scopes if chip["key"] != key]
        self.dirty, self.result = True, ""

    @timed_event
    def discard(self):
        self.dirty, self.result, self.scope_error = False, "", ""
        return UserState.open

    @timed_event
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
        namespace = grant_viewer.grants_namespace()
        async for push in self._pushes([USERACCESSES, CLUSTER_ROLES]):
            if push is None:
                yield SessionState.check
                return
            watch, roles = push.watches
            visible = await push.viewer.visible_grants(watch)
            kinds = await push.viewer.kube.catalog.kinds()
            async with self:
                if self._generation != push.visit:
                    return
                # The name is read with the visit it belongs to: `open` sets both at once.
                obj = _grant_named(visible, namespace, self.name)
                self.checked, self.can_write, self.loading = True, push.viewer.may_write, watch.loading
                if obj is None:
                    self.missing = "" if watch.loading else f"There is no grant named {self.name} (revoked?)."
                    continue
                self.missing = ""
                self._show(obj, kinds, tier_enforced(roles))
