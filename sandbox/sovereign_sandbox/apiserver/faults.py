"""Fault injection (sandbox only): drop watches, expire watch history, fail or delay the next requests.

Two ways in: the in-process `Faults` object (`Sandbox.faults`, callable from any thread) and the admin
HTTP path `/sandbox/faults/<action>` (POST, JSON body, allowed only to `system:masters`):

- `drop-watches`                      end every open watch stream
- `expire-watches` `{"count": n}`     the next n watches from a resourceVersion answer 410
- `fail` `{"path", "count", "status", "retryAfter"}`  answer the next requests under a path with an error
- `delay` `{"path", "count", "seconds"}`               hold the next requests under a path
- `restart` `{"loseHistory": true}`   drop every watch and forget the watch history
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.errors import status_body
from sovereign_sandbox.storage.store import Store

__all__ = ["ADMIN_PREFIX", "Faults"]

ADMIN_PREFIX = "/sandbox/"
_Result = TypeVar("_Result")
# status → (reason, message) as the real server words them
_FAILURES = {
    500: ("InternalError", "Internal error occurred: injected fault"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    429: ("TooManyRequests", "Too many requests, please try again later."),
    504: ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing"),
}


@dataclass
class _Rule:
    path_prefix: str
    remaining: int
    status: int = 0  # 0 = a delay rule
    retry_after: int | None = None
    seconds: float = 0.0


def _failure(rule: _Rule) -> Response:
    reason, message = _FAILURES.get(rule.status, ("InternalError", "Internal error occurred: injected fault"))
    details = {"retryAfterSeconds": rule.retry_after} if rule.retry_after is not None else None
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    body = json.dumps(status_body(rule.status, reason, message, details), separators=(",", ":"))
    return Response(body, status_code=rule.status, media_type="application/json", headers=headers)


class Faults:
    """Thread-safe: every method runs on the server loop through `call` (directly before it starts)."""

    def __init__(self, store: Store, call: Callable[..., Any]):
        self._store = store
        self._call = call
        self._rules: list[_Rule] = []

    def drop_watches(self) -> int:
        """End every open watch stream cleanly; returns how many were open."""
        return self._call(self._store.drop_watches)

    def expire_next_watches(self, count: int = 1) -> None:
        """The next `count` watches that name a resourceVersion answer 410 Expired."""
        self._call(self._store.expire_next_watches, count)

    def fail_next(self, path_prefix: str, count: int = 1, status: int = 503, retry_after: int | None = None) -> None:
        """Answer the next `count` requests whose path starts with `path_prefix` with a `status` Status."""
        if status not in _FAILURES:
            raise ValueError(f"unsupported status {status}; use one of {sorted(_FAILURES)}")
        self._call(self._rules.append, _Rule(path_prefix, count, status, retry_after))

    def delay_next(self, path_prefix: str, count: int = 1, seconds: float = 1.0) -> None:
        """Hold the next `count` requests under `path_prefix` for `seconds` before serving them."""
        self._call(self._rules.append, _Rule(path_prefix, count, seconds=seconds))

    def restart(self, lose_history: bool = True) -> int:
        """Like an API server restart: drop every watch and (by default) forget the watch history."""

        def run() -> int:
            dropped = self._store.drop_watches()
            if lose_history:
                self._store.expire_history()
            return dropped

        return self._call(run)

    def clear(self) -> None:
        """Forget every pending fail/delay rule."""
        self._call(self._rules.clear)

    def _take(self, path: str) -> _Rule | None:
        for rule in self._rules:
            if path.startswith(rule.path_prefix):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule
        return None

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """Wrap an ASGI app so the pending rules fail or delay matching requests before it sees them."""

        async def intercept(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and self._rules and not scope["path"].startswith(ADMIN_PREFIX):
                rule = self._take(scope["path"])
                if rule is not None and rule.status:
                    await _failure(rule)(scope, receive, send)
                    return
                if rule is not None:
                    await asyncio.sleep(rule.seconds)
            await app(scope, receive, send)

        return intercept

    async def admin(self, request: Request, user: User) -> Response:
        """Serve `POST /sandbox/faults/<action>` for `system:masters`; everything else under /sandbox is 404."""
        if "system:masters" not in user.groups:
            body = status_body(
                403, "Forbidden", f'User "{user.name}" cannot use the sandbox fault injection (system:masters only)'
            )
            return Response(json.dumps(body), status_code=403, media_type="application/json")
        action = request.url.path.rstrip("/").removeprefix("/sandbox/faults/")
        raw = await request.body()
        try:
            options: dict[str, Any] = json.loads(raw) if raw else {}
        except ValueError:
            options = None  # type: ignore[assignment]
        if request.method != "POST" or not isinstance(options, dict):
            return _json(status_body(400, "BadRequest", "POST a JSON object to /sandbox/faults/<action>"), 400)
        try:
            result = self._apply(action, options)
        except (KeyError, ValueError, TypeError) as error:
            return _json(status_body(400, "BadRequest", f"bad fault request: {error}"), 400)
        if result is None:
            return _json(status_body(404, "NotFound", f"no such fault action: {action}"), 404)
        return _json(result, 200)

    def _apply(self, action: str, options: dict[str, Any]) -> dict[str, Any] | None:
        # Runs on the loop already: touch the store and rules directly.
        if action == "drop-watches":
            return {"dropped": self._store.drop_watches()}
        if action == "expire-watches":
            self._store.expire_next_watches(int(options.get("count", 1)))
            return {"expiring": int(options.get("count", 1))}
        if action == "fail":
            status = int(options.get("status", 503))
            if status not in _FAILURES:
                raise ValueError(f"unsupported status {status}")
            retry_after = options.get("retryAfter")
            self._rules.append(
                _Rule(
                    options["path"],
                    int(options.get("count", 1)),
                    status,
                    None if retry_after is None else int(retry_after),
                )
            )
            return {"failing": options["path"]}
        if action == "delay":
            self._rules.append(_Rule(options["path"], int(options.get("count", 1)), seconds=float(options["seconds"])))
            return {"delaying": options["path"]}
        if action == "restart":
            dropped = self._store.drop_watches()
            if options.get("loseHistory", True):
                self._store.expire_history()
            return {"dropped": dropped}
        return None


def _json(body: Any, status: int) -> Response:
    return Response(json.dumps(body), status_code=status, media_type="application/json")
