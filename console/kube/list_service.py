"""One list view's data for one person: the visible rows of a kind, queried, plus chip counts and notices.

Pure domain code over the shared watch cache; the Reflex state only forwards what this returns.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import UTC, datetime

from console.kube.access import AccessQuestion, AccessReviews, visible_items, visible_objects
from console.kube.api import KubeApi
from console.kube.kinds import Kind, RenderContext, Row, rows_for
from console.kube.query import ListQuery, QueryResult, run_query
from console.kube.watch_cache import KindWatch


@dataclass(frozen=True, slots=True)
class ListView:
    """What a list page shows: a page of rows and, when there are none, why."""

    result: QueryResult
    notice: str = ""  # "No pods in namespace x", "You may not list secrets in x", "… does not serve …"
    notice_tone: str = "muted"  # muted: empty; warn: forbidden or not served


@dataclass(slots=True)
class Person:
    """Who the list is for: their name as Kubernetes sees it and an API view acting as them."""

    kube_user: str
    api: KubeApi
    reviews: AccessReviews = field(default_factory=AccessReviews)


@dataclass(slots=True)
class _Rendered:
    revision: int
    second: int
    rows: list[Row]


# Every tab showing a kind reuses one rendering per cache revision and clock second (AGE moves by the
# second): twenty tabs on 10,000 pods render them once, not twenty times.
_RENDERED: weakref.WeakKeyDictionary[KindWatch, dict[str, _Rendered]] = weakref.WeakKeyDictionary()


def shared_rows(kind: Kind, watch: KindWatch, context: RenderContext) -> list[Row]:
    """All rows of a (non-projecting) kind from its watch, rendered once and shared by every viewer."""
    renders = _RENDERED.setdefault(watch, {})
    second = int(context.now.timestamp())
    rendered = renders.get(kind.id)
    if rendered is None or rendered.revision != watch.revision or rendered.second != second:
        rendered = _Rendered(watch.revision, second, rows_for(kind, watch.objects(), context))
        renders[kind.id] = rendered
    return rendered.rows


def _not_served(watch: KindWatch) -> bool:
    return watch.status.state == "error" and watch.status.not_served


async def kind_rows(
    kind: Kind,
    watch: KindWatch,
    person: Person,
    context: RenderContext,
    scope: frozenset[str] | None = None,
) -> list[Row]:
    """Every row of the kind this person may see in the scope (before the text/label/sort/page query).

    `scope` is the set of namespaces an Organization/Environment scope stands for; None: no such scope.
    """
    if kind.resource is None:
        return []
    if kind.project is not None:  # rows summarise several objects: decide on the objects, then project
        objects = await visible_objects(
            person.reviews, person.api, person.kube_user, kind.resource, kind.namespaced, watch.objects()
        )
        rows = rows_for(kind, objects, context)
    else:
        rows = await visible_items(
            person.reviews,
            person.api,
            person.kube_user,
            kind.resource,
            kind.namespaced,
            shared_rows(kind, watch, context),
            lambda row: row.name,
            lambda row: row.namespace,
        )
    if scope is not None and kind.namespaced:
        rows = [row for row in rows if row.namespace in scope]
    return rows


async def list_view(
    kind: Kind,
    watch: KindWatch | None,
    person: Person,
    query: ListQuery,
    cluster_id: str,
    server_version: str = "",
    scope: frozenset[str] | None = None,
) -> ListView:
    """The page of rows for `query`, with an honest notice when there is nothing to show."""
    context = RenderContext(now=datetime.now(UTC), cluster_id=cluster_id, server_version=server_version)
    if kind.resource is None or watch is None:
        return ListView(run_query(kind, [], query), notice=kind.unavailable, notice_tone="muted")
    if _not_served(watch):
        return ListView(
            run_query(kind, [], query),
            notice=f"The cluster does not serve {kind.title.lower()}.",
            notice_tone="warn",
        )
    rows = await kind_rows(kind, watch, person, context, scope)
    result = run_query(kind, rows, query)
    if result.total or not watch.synced:
        return ListView(result)
    where = f"namespace {query.namespace}" if query.namespace else "this cluster"
    question = AccessQuestion(
        "list", kind.resource.plural, group=kind.resource.group, namespace=query.namespace if kind.namespaced else ""
    )
    if not await person.reviews.allowed(person.api, person.kube_user, question):
        return ListView(result, notice=f"You may not list {kind.title.lower()} in {where}.", notice_tone="warn")
    return ListView(result, notice=f"No {kind.title.lower()} in {where}.")


async def visible_count(
    kind: Kind,
    watch: KindWatch,
    person: Person,
    cluster_id: str,
    namespace: str = "",
    scope: frozenset[str] | None = None,
) -> int:
    """How many rows of a kind this person sees in the current scope (the chips' live counts)."""
    context = RenderContext(now=datetime.now(UTC), cluster_id=cluster_id)
    rows = await kind_rows(kind, watch, person, context, scope)
    return run_query(kind, rows, ListQuery(namespace=namespace, page_size=1)).matched
