"""Server-side list queries (spec cloud.md §3): filter, sort and page a kind's rows against the cache.

The toolbar's state is a `ListQuery`; `run_query` turns a kind's rendered rows into the one page the
browser shows, plus the counts the toolbar needs. Text the person typed that cannot be used raises
`QueryError` with a readable message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import regex

from console.kube.kinds import Kind, Row
from console.kube.query_errors import QueryError
from console.kube.selectors import Selector, parse_selector

__all__ = ["DEFAULT_PAGE_SIZE", "ListQuery", "QueryError", "QueryResult", "run_query", "text_matcher"]

DEFAULT_PAGE_SIZE = 50
# All searches of one filtered query together (10,000 rows take ~20 ms with a sane pattern).
REGEX_BUDGET_SECONDS = 0.5


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What the list toolbar asks for."""

    text: str = ""  # substring, `/regex/`; a leading `!` inverts either
    selector: str = ""  # label selector as typed: `app=web,tier!=db`
    namespace: str = ""  # "" = all namespaces (ignored for cluster-scoped kinds)
    sort: str = ""  # a column key; "" = namespace, then name
    descending: bool = False
    page: int = 0  # 0-based; clamped to the last page
    page_size: int = DEFAULT_PAGE_SIZE
    filters: tuple[tuple[str, str], ...] = ()  # per-kind filters (column key, value); same column = any of


@dataclass(frozen=True, slots=True)
class QueryResult:
    """One page of rows and what the toolbar and pager show around it."""

    rows: list[Row]  # the page
    total: int  # all rows of the kind (before any filter)
    matched: int  # rows left after every filter
    page: int  # the page shown (clamped)
    pages: int  # at least 1
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # kind-filter column → value → rows


def _haystack(row: Row) -> str:
    return "\n".join((row.name, row.namespace, *row.cells.values()))


def text_matcher(text: str, budget_seconds: float = REGEX_BUDGET_SECONDS) -> Callable[[Row], bool] | None:
    """A predicate for the free-text filter, None when it filters nothing; raises `QueryError` on a bad regex.

    Case-insensitive substring over the name, namespace and every cell; `/regex/` is a regular expression
    (Python syntax) searched the same way (`^`/`$` anchor at each cell); a leading `!` inverts either form.
    The searches of one matcher share `budget_seconds`: a pattern that backtracks catastrophically (`(a|aa)+$`)
    raises `QueryError` instead of holding the backend's event loop.
    """
    inverted = text.startswith("!")
    body = text[1:] if inverted else text
    if not body:
        return None
    if len(body) >= 2 and body.startswith("/") and body.endswith("/"):
        try:
            pattern = regex.compile(body[1:-1], regex.IGNORECASE | regex.MULTILINE)
        except regex.error as error:
            where = f" at position {error.pos}" if error.pos is not None else ""
            raise QueryError(f"invalid regular expression: {error.msg}{where}") from None
        deadline = time.monotonic() + budget_seconds

        def matches(row: Row) -> bool:
            remaining = deadline - time.monotonic()
            try:
                if remaining <= 0:
                    raise TimeoutError
                return pattern.search(_haystack(row), timeout=remaining) is not None
            except TimeoutError:
                raise QueryError(
                    f"the regular expression takes too long to search (over {budget_seconds:g} s): simplify it"
                ) from None
    else:
        needle = body.lower()

        def matches(row: Row) -> bool:
            return needle in _haystack(row).lower()

    if inverted:
        return lambda row: not matches(row)
    return matches


def _kind_filters(kind: Kind, filters: Sequence[tuple[str, str]]) -> dict[str, set[str]]:
    known = {kind_filter.column for kind_filter in kind.filters}
    chosen: dict[str, set[str]] = {}
    for column, value in filters:
        if column not in known:
            raise QueryError(f"{kind.title} cannot be filtered by {column!r}")
        chosen.setdefault(column, set()).add(value)
    return chosen


def _sort_key(kind: Kind, column: str) -> Callable[[Row], tuple[int, float | str]] | None:
    by_key = {candidate.key: candidate for candidate in kind.columns}
    if column not in by_key:
        return None  # a sort left over from another kind: fall back to the default order
    if by_key[column].numeric:

        def numeric(row: Row) -> tuple[int, float | str]:
            value = row.sort_keys.get(column)
            if isinstance(value, int | float):
                return (0, float(value))
            try:
                return (0, float(str(value)))
            except ValueError:
                return (1, 0.0)  # unreadable numbers sort last

        return numeric

    def textual(row: Row) -> tuple[int, float | str]:
        value = row.sort_keys.get(column, row.cells.get(column, ""))
        return (0, value if isinstance(value, str) else str(value))

    return textual


def run_query(kind: Kind, rows: Sequence[Row], query: ListQuery) -> QueryResult:
    """Filter (namespace, label selector, text, per-kind filters), sort and page `rows` of `kind`.

    `counts` holds, for each per-kind filter, how many rows each value has among the rows that pass the
    namespace, selector and text filters (not the per-kind filters themselves), for the toolbar's choices.
    Raises `QueryError` for a malformed selector, regular expression or unknown filter column.
    """
    selector: Selector = parse_selector(query.selector)
    matcher = text_matcher(query.text)
    chosen = _kind_filters(kind, query.filters)
    namespace = query.namespace if kind.namespaced else ""

    candidates: list[Row] = []
    for row in rows:
        if namespace and row.namespace != namespace:
            continue
        if selector and not selector.matches(row.labels):
            continue
        if matcher is not None and not matcher(row):
            continue
        candidates.append(row)

    counts: dict[str, dict[str, int]] = {kind_filter.column: {} for kind_filter in kind.filters}
    for column, tally in counts.items():
        for row in candidates:
            value = row.cells.get(column, "")
            tally[value] = tally.get(value, 0) + 1
    if chosen:
        candidates = [
            row for row in candidates if all(row.cells.get(column) in values for column, values in chosen.items())
        ]

    candidates.sort(key=lambda row: (row.namespace, row.name))
    sort = query.sort or kind.default_sort  # the kind's own order (Events: warnings first) until one is picked
    key = _sort_key(kind, sort) if sort else None
    if key is not None:
        candidates.sort(key=key, reverse=query.descending)  # stable: ties keep namespace/name order
    elif query.descending:
        candidates.reverse()

    page_size = max(1, query.page_size)
    pages = max(1, -(-len(candidates) // page_size))
    page = min(max(0, query.page), pages - 1)
    return QueryResult(
        rows=candidates[page * page_size : (page + 1) * page_size],
        total=len(rows),
        matched=len(candidates),
        page=page,
        pages=pages,
        counts=counts,
    )
