"""HTTP plumbing shared by the API handlers: compact JSON responses, Status bodies and request bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from starlette.requests import Request
from starlette.responses import Response

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.protobuf import PROTOBUF, decode_object
from sovereign_sandbox.auth.authentication import User
from sovereign_sandbox.cluster import Cluster
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.storage.resources import ResourceType

__all__ = [
    "PageNotFound",
    "RequestContext",
    "dumps",
    "error_response",
    "json_response",
    "page_not_found",
    "read_body",
    "success_status",
]


def dumps(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(dumps(body), status_code=status_code, media_type="application/json")


def error_response(error: ApiError) -> Response:
    return json_response(error.status, error.code)


class PageNotFound(Exception):
    """A path no API serves: the real server's mux falls through to Go's `http.NotFound`, not a Status."""


def page_not_found() -> Response:
    """`http.NotFound`: plain text, as for an unserved API group or version (kubectl cannot decode it)."""
    return Response(
        b"404 page not found\n",
        status_code=404,
        headers={"X-Content-Type-Options": "nosniff"},
        media_type="text/plain; charset=utf-8",
    )


def success_status(resource: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
    """The `Status` a DELETE answers with for kinds that do not return the deleted object."""
    details: dict[str, Any] = {"name": obj["metadata"]["name"]}
    if resource.group:
        details["group"] = resource.group
    details["kind"] = resource.plural
    details["uid"] = obj["metadata"].get("uid", "")
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


async def read_body(request: Request, *, yaml_allowed: bool = False) -> Any:
    """The decoded request body (JSON; YAML too for apply patches).

    Raises:
        ApiError: 400 when the body does not decode.
    """
    raw = await request.body()
    if not raw:
        return None
    if (request.headers.get("content-type") or "").startswith(PROTOBUF):
        return decode_object(raw)
    try:
        if yaml_allowed:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as error:
        raise errors.bad_request(f"the body of the request could not be decoded: {error}") from None


@dataclass
class RequestContext:
    """One resource request, resolved: what the handlers and subresource handlers receive."""

    cluster: Cluster
    request: Request
    user: User
    resource: ResourceType  # the type as served at the request's group/version
    stored: ResourceType  # the type whose form objects are stored in
    namespace: str | None
    name: str
    subresource: str
    dry_run: bool

    @property
    def query(self) -> Any:
        return self.request.query_params
