"""`/users`: every grant, live from the shared cache, filtered by tier and a search; owners revoke."""

from __future__ import annotations

import reflex as rx

from console.pages.access import grant_viewer
from console.pages.access.grant_viewer import CLUSTER_ROLES, USERACCESSES, AccessProblem, tier_enforced, writer_for
from console.pages.access.live_grants_state import LiveGrantsState
from console.pages.access.users_views import MAX_ROWS, TIER_FILTERS, filtered_rows
from console.rbac.grants import DELETED, delete_grant
from console.state.session import SessionState
from console.state.timing import timed_event
from console.state.wakeups import wake


class UsersState(LiveGrantsState, rx.State):
    """What the Users page shows: one page of grant rows, and who may do what."""

    can_write: bool = False
    rows: list[dict[str, str]] = []
    total: int = 0  # grants the person may see (before the filter)
    note: str = ""
    tier: str = "all"
    search: str = ""
    delete_name: str = ""
    delete_who: str = ""
    delete_open: bool = False
    busy: bool = False
    result: str = ""
    result_tone: str = ""

    @timed_event
    def open(self):
        self._restart()
        self.result, self.delete_open = "", False
        query = self.router.url.query_parameters
        self.tier = query.get("tier", "all") if query.get("tier", "all") in TIER_FILTERS else "all"
        return UsersState.follow

    @timed_event
    def set_tier(self, tier: str):
        if tier in TIER_FILTERS:
            self.tier = tier
            wake(self.router.session.client_token)

    @timed_event
    def set_search(self, text: str):
        self.search = text[:200]
        wake(self.router.session.client_token)

    @timed_event
    def ask_delete(self, name: str, who: str):
        """Open the confirm dialog (the revoke itself checks the person's tier again)."""
        self.delete_name, self.delete_who, self.delete_open, self.result = name, who, True, ""

    @timed_event
    def set_delete_open(self, value: bool):
        self.delete_open = value

    @timed_event
    async def delete(self):
        """Revoke the grant in the dialog, as the person, if their session says they are an owner now."""
        name = self.delete_name
        self.busy = True
        yield
        try:
            viewer, refusal = await writer_for(self.router.headers.cookie, DELETED, [name])
            if viewer is None or refusal:
                self.result, self.result_tone = refusal, "error"
                return
            outcome = await delete_grant(
                viewer.api,
                name=name,
                namespace=grant_viewer.grants_namespace(),
                audit=grant_viewer.audit(),
                actor=viewer.actor,
            )
        except (AccessProblem, ValueError) as problem:
            self.result, self.result_tone = str(problem), "error"
            return
        finally:
            self.busy, self.delete_open = False, False
        if outcome.applied == "error":
            self.result, self.result_tone = f"Could not revoke {name}: {outcome.message}", "error"
            return
        self.result, self.result_tone = f"Revoked {name}.", "ok"
        yield rx.toast.success(f"Revoked {name}")

    def _hide_grants(self) -> None:
        self.can_write, self.rows = False, []

    @rx.event(background=True)
    async def follow(self):
        """Push the rows whenever a grant changes, until the tab leaves or reopens the page."""
        async for push in self._pushes([USERACCESSES, CLUSTER_ROLES]):
            if push is None:
                yield SessionState.check
                return
            watch, roles = push.watches
            objects = await push.viewer.visible_grants(watch)
            async with self:
                if self._generation != push.visit:
                    return
                rows = filtered_rows(objects, self.tier, self.search, tier_enforced(roles))
                self.rows, self.total = rows[:MAX_ROWS], len(objects)
                self.note = f"showing {MAX_ROWS} of {len(rows)} grants" if len(rows) > MAX_ROWS else ""
                self.gate, self.can_write, self.checked = "", push.viewer.may_write, True
                self.loading = watch.loading
                self.live_text = watch.status.describe()
