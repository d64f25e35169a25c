"""The one error a list query can raise: what the person typed cannot be used (shown to them, never a traceback)."""

from __future__ import annotations

__all__ = ["QueryError"]


class QueryError(ValueError):
    """A filter, label selector or sort the person typed is malformed; the message says what and where."""
