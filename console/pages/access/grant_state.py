"""`/rbac/grant`: the multi-grant form — a tier, scope chips, several Keycloak users — applied as the owner.

Only owners get the form; `apply` asks the session again before writing (a forged event from anyone else is
refused and recorded as denied). The Keycloak search runs as the console's service account, for owners only.
"""

from __future__ import annotations

from urllib.parse import unquote

import reflex as rx

from console.pages.access import grant_viewer
from console.pages.access.grant_viewer import AccessProblem, viewer_for, writer_for
from console.pages.access.scope_input_state import ScopeInputState
from console.pages.access.users_views import add_scope, chip_scopes
from console.rbac import runtime as rbac_runtime
from console.rbac.grants import CREATED, Grantee, GrantOutcome, GrantRefused, apply_grants
from console.rbac.keycloak_admin import KcUser, KeycloakAdmin, KeycloakAdminError
from console.rbac.tiers import UnknownTier, actions_of, tier_named
from console.rbac.useraccess import grant_name_for
from console.state.session import SessionState
from console.state.timing import timed_event

MAX_RESULTS = 10
_OUTCOME_TONES = {"created": "ok", "updated": "info", "no-op": "muted", "error": "err"}


def _user_chip(user: KcUser) -> dict[str, str]:
    return {"id": user.id, "display": user.display, "email": user.email, "username": user.username}


def _outcome_row(outcome: GrantOutcome) -> dict[str, str]:
    return {
        "who": outcome.user.who,
        "name": outcome.name,
        "applied": outcome.applied,
        "message": outcome.message,
        "tone": _OUTCOME_TONES.get(outcome.applied, "muted"),
        "href": f"/users/{outcome.name}" if outcome.name and outcome.applied != "error" else "",
    }


def _query_values(query: dict, key: str) -> list[str]:
    """A query parameter's values: repeated (`?scope=a&scope=b`) or comma-separated (`?scope=a,b`)."""
    raw = query.get(key, [])
    values = raw if isinstance(raw, list) else [raw]
    return [part.strip() for value in values for part in unquote(str(value)).split(",") if part.strip()]


def _keycloak() -> KeycloakAdmin:
    """The console's Keycloak Admin client.

    Raises:
        KeycloakAdminError: users & access are not running, or Keycloak administration is not configured.
    """
    try:
        runtime = rbac_runtime.current()
    except rbac_runtime.RbacUnavailable as problem:
        raise KeycloakAdminError(0, f"Keycloak cannot be searched: {problem}") from problem
    if runtime.keycloak is None:
        raise KeycloakAdminError(0, runtime.keycloak_problem or "Keycloak administration is not configured")
    return runtime.keycloak


class GrantState(ScopeInputState, rx.State):
    """What the multi-grant form shows; the picked users are only ever used by an owner's apply."""

    checked: bool = False  # the person's tier is known
    gate: str = ""  # why the person cannot grant ("" when they can)
    problem: str = ""
    tier: str = "viewer"
    actions: list[dict[str, str]] = []  # action, tier (the tier that adds it), own ("1": this tier adds it)
    scopes: list[dict[str, str]] = []  # chips: key, value, text
    results: list[dict[str, str]] = []  # Keycloak users matching the search: id, display, email, username
    search_note: str = ""
    picked: list[dict[str, str]] = []
    form_error: str = ""
    busy: bool = False
    outcomes: list[dict[str, str]] = []

    @timed_event
    async def open(self):
        """Page load: who is this (only owners get the form), and a prefill from `?user=&tier=&scope=`."""
        self.checked, self.gate, self.problem, self.form_error, self.outcomes = False, "", "", "", []
        self.results, self.search_note, self.scope_error, self.scope_value = [], "", "", ""
        self.picked, self.scopes = [], []
        query = self.router.url.query_parameters
        self._choose(str(query.get("tier") or "viewer"))
        for pair in _query_values(query, "scope"):
            key, _, value = pair.partition("=")
            self.scopes, error = add_scope(self.scopes, key, value)
            self.scope_error = self.scope_error or error
        try:
            viewer = await viewer_for(self.router.headers.cookie)
        except AccessProblem as problem:
            self.problem, self.checked = str(problem), True
            return None
        if viewer is None:
            return SessionState.check
        self.gate, self.checked = viewer.write_gate(), True
        if self.gate:
            return None
        subjects = _query_values(query, "user")
        if subjects:
            await self._prefill_users(subjects)
        return None

    async def _prefill_users(self, subjects: list[str]) -> None:
        missing = []
        for subject in subjects:
            try:
                user = await _keycloak().get_user(subject)
            except KeycloakAdminError as problem:
                missing.append(f"{subject} ({problem})")
                user = KcUser(id=subject, username=subject)
            if all(chip["id"] != user.id for chip in self.picked):
                self.picked = [*self.picked, _user_chip(user)]
        if missing:
            self.search_note = "Could not read from Keycloak: " + "; ".join(missing)

    def _choose(self, tier: str) -> None:
        try:
            chosen = tier_named(tier)
        except UnknownTier as problem:
            self.form_error = str(problem)
            chosen = tier_named("viewer")
        self.tier = chosen.name
        self.actions = [
            {"action": action, "tier": adder, "own": "1" if adder == chosen.name else ""}
            for action, adder in actions_of(chosen)
        ]

    @timed_event
    def choose_tier(self, tier: str):
        self.form_error = ""
        self._choose(tier)

    @timed_event
    def add_scope(self):
        """Add the key/value as a chip, or say why not (the spec's messages), changing nothing."""
        self.scopes = self._with_typed_scope(self.scopes)

    @timed_event
    def remove_scope(self, key: str):
        self.scopes = [chip for chip in self.scopes if chip["key"] != key]
        self.scope_error = ""

    @timed_event
    async def search(self, text: str):
        """Search as you type (debounced by the page): Keycloak users whose name or email match."""
        text = text.strip()[:100]
        if not text:
            self.results, self.search_note = [], ""
            return
        try:
            viewer = await viewer_for(self.router.headers.cookie)
            if viewer is None or not viewer.may_write:
                self.results, self.search_note = [], "Only a tier-owner searches Keycloak users here."
                return
            users = await _keycloak().search_users(text, 0, MAX_RESULTS)
        except (KeycloakAdminError, AccessProblem) as problem:
            self.results, self.search_note = [], str(problem)
            return
        self.results = [_user_chip(user) for user in users if user.id]
        self.search_note = "" if self.results else f"No Keycloak user matches “{text}”."

    @timed_event
    def pick(self, user_id: str):
        """Add a search result to the users the grant is for (several at once)."""
        chosen = next((user for user in self.results if user["id"] == user_id), None)
        if chosen is None or any(user["id"] == user_id for user in self.picked):
            return None
        self.picked = [*self.picked, chosen]
        self.results, self.search_note, self.form_error = [], "", ""
        return rx.set_value("user-search", "")

    @timed_event
    def unpick(self, user_id: str):
        self.picked = [user for user in self.picked if user["id"] != user_id]

    def _would_be_names(self) -> list[str]:
        try:
            tier = tier_named(self.tier)
        except UnknownTier:
            return []
        return [grant_name_for(user.get("email") or user.get("id", ""), tier) for user in self.picked]

    @timed_event
    async def apply(self):
        """Grant the tier on the scopes to every picked user, as the person — if they are an owner now."""
        self.busy, self.form_error, self.outcomes = True, "", []
        yield
        try:
            viewer, refusal = await writer_for(self.router.headers.cookie, CREATED, self._would_be_names())
            if viewer is None or refusal:
                self.form_error = refusal
                return
            outcomes = await apply_grants(
                viewer.api,
                tier=self.tier,
                scopes=chip_scopes(self.scopes),
                users=[Grantee(user["id"], user.get("email", ""), user.get("display", "")) for user in self.picked],
                namespace=grant_viewer.grants_namespace(),
                sovereign_ref=grant_viewer.sovereign_ref(),
                audit=grant_viewer.audit(),
                actor=viewer.actor,
            )
        except (GrantRefused, AccessProblem) as problem:
            self.form_error = str(problem)
            return
        finally:
            self.busy = False
        self.outcomes = [_outcome_row(outcome) for outcome in outcomes]
        if any(outcome.applied != "error" for outcome in outcomes):
            yield rx.toast.success(f"Granted {self.tier}")
        else:
            yield rx.toast.error(f"Nothing granted: {outcomes[0].message}" if outcomes else "Nothing granted")
