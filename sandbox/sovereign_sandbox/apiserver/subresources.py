"""Subresource handlers (status, scale) in a table other subresources (log, exec…) are added to."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.conversions import to_view
from sovereign_sandbox.apiserver.responses import RequestContext, json_response, read_body
from sovereign_sandbox.apiserver.token_requests import token_request
from sovereign_sandbox.storage.patches import APPLY_PATCH, PATCHERS

__all__ = ["SUBRESOURCE_HANDLERS", "SubresourceHandler", "register_subresource"]

SubresourceHandler = Callable[[RequestContext], Awaitable[Response]]


def _media_type(context: RequestContext) -> str:
    return (context.request.headers.get("content-type") or "").split(";")[0].strip()


async def status(context: RequestContext) -> Response:
    """GET/PUT/PATCH …/status: reads the object, writes only its status."""
    store, stored = context.cluster.store, context.stored
    method = context.request.method
    if method == "GET":
        obj = store.get(stored, context.namespace, context.name)
    elif method == "PUT":
        body = await read_body(context.request)
        obj = store.update(
            stored, context.namespace, context.name, body or {}, subresource="status", dry_run=context.dry_run
        )
    elif method == "PATCH":
        media_type = _media_type(context)
        body = await read_body(context.request, yaml_allowed=media_type == APPLY_PATCH)
        obj, _ = store.patch(
            stored, context.namespace, context.name, media_type, body, subresource="status", dry_run=context.dry_run
        )
    else:
        raise errors.method_not_allowed(method, context.resource.plural, context.resource.group)
    return json_response(to_view(context.resource, obj))


def _scale_view(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = obj["metadata"]
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            key: metadata[key]
            for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if key in metadata
        },
        "spec": {"replicas": (obj.get("spec") or {}).get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": ",".join(f"{key}={value}" for key, value in selector.items()),
        },
    }


async def scale(context: RequestContext) -> Response:
    """GET/PUT/PATCH …/scale: an autoscaling/v1 Scale view of spec.replicas."""
    store, stored = context.cluster.store, context.stored
    current = store.get(stored, context.namespace, context.name)
    method = context.request.method
    if method == "GET":
        return json_response(_scale_view(current))
    if method == "PUT":
        wanted = await read_body(context.request) or {}
    elif method == "PATCH":
        media_type = _media_type(context)
        patcher = PATCHERS.get(media_type)
        if patcher is None:
            raise errors.unsupported_media_type(media_type, list(PATCHERS))
        body = await read_body(context.request, yaml_allowed=media_type == APPLY_PATCH)
        wanted = patcher(_scale_view(current), body, context.resource)
    else:
        raise errors.method_not_allowed(method, context.resource.plural, context.resource.group)
    version = (wanted.get("metadata") or {}).get("resourceVersion")
    if version and version != current["metadata"]["resourceVersion"]:
        raise errors.conflict(context.resource.plural, context.resource.group, context.name)
    updated = copy.deepcopy(current)
    updated.setdefault("spec", {})["replicas"] = (wanted.get("spec") or {}).get("replicas", 0)
    obj = store.update(stored, context.namespace, context.name, updated, dry_run=context.dry_run)
    return json_response(_scale_view(obj))


# `approval` (CertificateSigningRequests) writes the status conditions, as `status` does.
SUBRESOURCE_HANDLERS: dict[str, SubresourceHandler] = {
    "status": status,
    "scale": scale,
    "approval": status,
    "token": token_request,
}


def register_subresource(name: str, handler: SubresourceHandler) -> None:
    """Serve `<resource>/<name>` for every type whose catalogue entry lists that subresource."""
    SUBRESOURCE_HANDLERS[name] = handler
