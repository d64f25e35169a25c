"""The Cloud page's states: which view shows (Graph | List), and the graph's options.

The graph's nodes never pass through here: the component reads `/ws/graph` itself. These states hold only
the small strings the URL carries, so a link reproduces the view.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

import reflex as rx

from console.kube.registry import KINDS
from console.pages.cloud_graph.links import CLOUD_PATH, VIEWS, GraphOptions, parse_graph_options
from console.pages.cloud_list.state import CloudListState
from console.state.timing import timed_event
from console.topology.lenses import LENSES
from console.topology.wire import DIRECTIONS, GROUPS, MAX_HOPS, MIN_HOPS

__all__ = ["CloudGraphState", "CloudViewState"]


class CloudGraphState(rx.State):
    """The graph's options, mirrored in the address bar (history is replaced, not added to)."""

    lens: str = GraphOptions().lens
    group: str = GraphOptions().group
    types_chosen: bool = False  # False: each type's default chip (the URL has no `types=`)
    type_ids: list[str] = []
    focus: str = ""
    hops: int = GraphOptions().hops
    direction: str = GraphOptions().direction
    note: str = ""  # what the URL asked for that the page could not show, and what it shows instead

    def _options(self) -> GraphOptions:
        return GraphOptions(
            lens=self.lens,
            group=self.group,
            types=tuple(self.type_ids) if self.types_chosen else None,
            focus=self.focus,
            hops=self.hops,
            direction=self.direction,
        )

    def _show(self, options: GraphOptions) -> None:
        self.lens, self.group, self.focus = options.lens, options.group, options.focus
        self.types_chosen, self.type_ids = options.types is not None, list(options.types or ())
        self.hops, self.direction = options.hops, options.direction

    def _to_url(self, options: GraphOptions):
        self._show(options)
        self.note = ""
        return rx.redirect(options.href(), replace=True)

    @rx.var
    def types(self) -> list[str] | None:
        """The component's `types` prop: the chosen type ids, or None for each type's default."""
        return list(self.type_ids) if self.types_chosen else None

    @rx.var
    def focus_name(self) -> str:
        """The focused node's name, read from its id (`<type>:<namespace>/<name>` or `<type>:<name>`)."""
        rest = self.focus.partition(":")[2]
        return rest.rpartition("/")[2] if "/" in rest else rest

    @rx.var
    def focus_where(self) -> str:
        """The focused node's type title and namespace ("Deployment in acme-prod-wordpress")."""
        type_id, _, rest = self.focus.partition(":")
        kind = KINDS.get(type_id)
        title = (kind.graph.title if kind and kind.graph and kind.graph.title else kind.kind if kind else type_id) or ""
        namespace = rest.rpartition("/")[0] if "/" in rest else ""
        return f"{title} in {namespace}" if namespace else title

    @timed_event
    def open_graph(self):
        """Page load in graph view: the options from the URL; a value it cannot honour falls back, with a note."""
        options, notes = parse_graph_options(self.router.url.query_parameters)
        self._show(options)
        self.note = " ".join(notes)

    @timed_event
    def set_lens(self, lens: str):
        return self._to_url(replace(self._options(), lens=lens if any(x.id == lens for x in LENSES) else "all"))

    @timed_event
    def set_group(self, group: str):
        return self._to_url(replace(self._options(), group=group if group in GROUPS else "namespace"))

    @timed_event
    def set_types(self, types: list[str]):
        """The component's type chips: the type ids now switched on."""
        chosen = tuple(dict.fromkeys(str(t) for t in types if isinstance(t, str) and t))
        return self._to_url(replace(self._options(), types=chosen))

    @timed_event
    def focus_on(self, node_id: str, direction: str):
        """ "Focus" (both ways) or "What breaks?" (dependents) on a node of the graph."""
        if not isinstance(node_id, str) or ":" not in node_id:
            return None
        towards = direction if direction in DIRECTIONS else "both"
        return self._to_url(replace(self._options(), focus=node_id, direction=towards))

    @timed_event
    def set_hops(self, hops: str):
        value = int(hops) if str(hops).isdigit() else GraphOptions().hops
        return self._to_url(replace(self._options(), hops=min(MAX_HOPS, max(MIN_HOPS, value))))

    @timed_event
    def set_direction(self, direction: str | list[str]):
        direction = direction if isinstance(direction, str) else "".join(direction[:1])
        return self._to_url(replace(self._options(), direction=direction if direction in DIRECTIONS else "both"))

    @timed_event
    def clear_focus(self):
        return self._to_url(replace(self._options(), focus="", hops=GraphOptions().hops, direction="both"))

    @timed_event
    def open_href(self, href: str):
        """A node's detail page (client-side navigation); only the console's own paths."""
        if isinstance(href, str) and href.startswith(f"{CLOUD_PATH}/") and not href.startswith("//"):
            return rx.redirect(href)
        return None


class CloudViewState(rx.State):
    """Graph or List on `/cloud`; a bare `/cloud` opens the view this browser chose last (graph the first time)."""

    view: str = ""  # "graph" | "list"; "" until the page has opened
    last_view: str = rx.LocalStorage("", name="sov-cloud-view")  # exactly "graph" or "list"

    @timed_event
    def open_cloud(self):
        """Page load: open the view the URL names (else the remembered one), and only that view."""
        params = self.router.url.query_parameters
        asked = params.get("view", "")
        if asked not in VIEWS:
            # an old `?kind=` link is a list; otherwise the remembered view, or the graph the first time
            remembered = "list" if "kind" in params else self.last_view if self.last_view in VIEWS else VIEWS[0]
            query = urlencode({"view": remembered, **{k: v for k, v in params.items() if k != "view"}})
            return rx.redirect(f"{CLOUD_PATH}?{query}", replace=True)
        self.view = asked
        if self.last_view != asked:
            self.last_view = asked
        if asked == "list":
            return CloudListState.open_list
        return [CloudListState.close_list, CloudGraphState.open_graph]

    @timed_event
    async def choose(self, view: str | list[str]):
        """The Graph | List toggle: switch views (a new history entry), and remember the choice."""
        view = view if isinstance(view, str) else "".join(view[:1])
        if view not in VIEWS or view == self.view:
            return None
        self.view, self.last_view = view, view
        if view == "list":
            return rx.redirect(f"{CLOUD_PATH}?view=list")
        graph = await self.get_state(CloudGraphState)
        return rx.redirect(graph._options().href())
