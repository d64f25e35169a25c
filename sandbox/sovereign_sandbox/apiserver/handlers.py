"""Resource verb handlers: list, watch, get, create, update, patch, delete and deletecollection."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.conversions import to_storage, to_view
from sovereign_sandbox.apiserver.protobuf import PROTOBUF
from sovereign_sandbox.apiserver.responses import RequestContext, dumps, json_response, read_body, success_status
from sovereign_sandbox.apiserver.tables import table, wants_table
from sovereign_sandbox.storage.apply import default_manager
from sovereign_sandbox.storage.deletion import PROPAGATION_POLICIES
from sovereign_sandbox.storage.patches import APPLY_PATCH, PATCHERS

__all__ = ["collection", "item", "BOOKMARK_INTERVAL_SECONDS"]

# How often an idle watch with allowWatchBookmarks=true gets a BOOKMARK (the real server: about a minute).
BOOKMARK_INTERVAL_SECONDS = 5.0
# Encoded watch events by (apiVersion, plural, type, resourceVersion), oldest evicted first; stored objects are
# never mutated in place, so one version always encodes the same.
# One cache per store: a process may run several sandboxes (tests do), whose resourceVersions overlap.
_ENCODED_EVENTS: weakref.WeakKeyDictionary[Any, dict[tuple[str, str, str, str | None], bytes]] = (
    weakref.WeakKeyDictionary()
)
_ENCODED_EVENTS_SIZE = 8192
_EVENTS_PER_CHUNK = 256


def _integer(context: RequestContext, name: str) -> int:
    text = context.query.get(name) or "0"
    try:
        return int(text)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{text}"') from None


def _boolean(context: RequestContext, name: str) -> bool | None:
    text = context.query.get(name)
    return None if text is None else text.lower() in ("true", "1")


def _list_body(context: RequestContext, items: list[dict[str, Any]], metadata: dict[str, Any]) -> dict[str, Any]:
    resource = context.resource
    return {
        "kind": resource.list_kind,
        "apiVersion": resource.api_version,
        "metadata": metadata,
        "items": [to_view(resource, obj) for obj in items],
    }


async def list_or_watch(context: RequestContext) -> Response:
    query = context.query
    if _boolean(context, "watch"):
        return watch(context)
    page = context.cluster.store.list(
        context.stored,
        context.namespace,
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        limit=_integer(context, "limit"),
        continue_token=query.get("continue", ""),
        resource_version=query.get("resourceVersion", ""),
    )
    if wants_table(context.request.headers.get("accept")):
        body = table(
            context.stored,
            page.items,
            resource_version=page.resource_version,
            continue_token=page.continue_token,
            remaining=page.remaining,
            include_object=query.get("includeObject", "Metadata"),
        )
        return json_response(body)
    metadata: dict[str, Any] = {"resourceVersion": page.resource_version}
    if page.continue_token:
        metadata["continue"] = page.continue_token
    if page.remaining is not None:
        metadata["remainingItemCount"] = page.remaining
    return json_response(_list_body(context, page.items, metadata))


def watch(context: RequestContext) -> Response:
    """A chunked stream of newline-delimited watch events, one flushed chunk per event."""
    query, store = context.query, context.cluster.store
    send_initial_events = _boolean(context, "sendInitialEvents")
    watcher = store.watch(
        context.stored,
        context.namespace,
        resource_version=query.get("resourceVersion", ""),
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        send_initial_events=send_initial_events,
    )
    timeout = _integer(context, "timeoutSeconds") or 1800
    bookmarks = bool(_boolean(context, "allowWatchBookmarks"))
    as_table = wants_table(context.request.headers.get("accept"))
    include_object = query.get("includeObject", "Metadata")
    request = context.request

    def encode(event_type: str, obj: dict[str, Any]) -> bytes:
        if event_type in ("ERROR", "BOOKMARK"):
            shown = obj
        elif as_table:
            shown = table(
                context.stored,
                [obj],
                resource_version=obj["metadata"].get("resourceVersion", ""),
                include_object=include_object,
            )
        else:
            # Every watcher of a type sends the same bytes for one object version: encode it once.
            resource = context.resource
            key = (resource.api_version, resource.plural, event_type, obj["metadata"].get("resourceVersion"))
            encoded_events = _ENCODED_EVENTS.setdefault(context.cluster.store, {})
            encoded = encoded_events.get(key)
            if encoded is None:
                encoded = dumps({"type": event_type, "object": to_view(context.resource, obj)}) + b"\n"
                if len(encoded_events) >= _ENCODED_EVENTS_SIZE:
                    del encoded_events[next(iter(encoded_events))]
                encoded_events[key] = encoded
            return encoded
        return dumps({"type": event_type, "object": shown}) + b"\n"

    async def events() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while (remaining := deadline - loop.time()) > 0:
                try:
                    item = await asyncio.wait_for(watcher.queue.get(), min(remaining, BOOKMARK_INTERVAL_SECONDS))
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    if bookmarks and deadline - loop.time() > 0:
                        yield encode("BOOKMARK", store.bookmark(context.resource))
                    continue
                if item is None:
                    return
                # Under load, send what is already queued as one chunk (still one JSON object per line).
                chunk, ended = [encode(*item)], False
                while not watcher.queue.empty() and len(chunk) < _EVENTS_PER_CHUNK:
                    queued = watcher.queue.get_nowait()
                    if queued is None:
                        ended = True
                        break
                    chunk.append(encode(*queued))
                yield b"".join(chunk) if len(chunk) > 1 else chunk[0]
                if ended:
                    return
        finally:
            store.stop_watch(watcher)

    return StreamingResponse(events(), media_type="application/json")


def _check_kind(context: RequestContext, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    resource = context.resource
    if body.get("kind") not in (None, "", resource.kind):
        raise errors.bad_request(
            f"the kind in the data ({body['kind']}) does not match the expected kind ({resource.kind})"
        )
    if body.get("apiVersion") not in (None, "", resource.api_version):
        raise errors.bad_request(
            f"the API version in the data ({body['apiVersion']}) does not match the "
            f"expected API version ({resource.api_version})"
        )
    return to_storage(resource, body)


_BODY_TYPES = ("application/json", "application/yaml", PROTOBUF, "")
_BODY_TYPES_MESSAGE = "application/json, application/yaml, application/vnd.kubernetes.protobuf"


def _media_type(context: RequestContext) -> str:
    return (context.request.headers.get("content-type") or "").split(";")[0].strip().lower()


async def _object_body(context: RequestContext) -> dict[str, Any]:
    """The object of a create or update: JSON, YAML or protobuf; 415 for any other content type."""
    media_type = _media_type(context)
    if media_type not in _BODY_TYPES:
        raise errors.ApiError(
            415,
            "UnsupportedMediaType",
            f"the body of the request was in an unknown format - accepted media types include: {_BODY_TYPES_MESSAGE}",
        )
    body = await read_body(context.request, yaml_allowed=media_type == "application/yaml")
    return _check_kind(context, body)


def _field_manager(context: RequestContext) -> str:
    """`fieldManager`, or what the real server derives from the User-Agent (`kubectl`, `OpenAPI-Generator`…)."""
    return context.query.get("fieldManager") or default_manager(context.request.headers.get("user-agent", ""))


def _malformed(error: Exception) -> errors.ApiError:
    return errors.bad_request(f"the request body is not a valid object for this resource: {error}")


async def create(context: RequestContext) -> Response:
    body = await _object_body(context)
    try:
        obj = context.cluster.store.create(
            context.stored,
            context.namespace,
            body,
            dry_run=context.dry_run,
            field_manager=_field_manager(context),
            validate=True,
            user=context.user,
        )
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        raise _malformed(error) from None
    return json_response(to_view(context.resource, obj), 201)


async def update(context: RequestContext) -> Response:
    body = await _object_body(context)
    store = context.cluster.store
    try:
        obj = store.update(
            context.stored,
            context.namespace,
            context.name,
            body,
            dry_run=context.dry_run,
            field_manager=_field_manager(context),
            validate=True,
            user=context.user,
        )
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        raise _malformed(error) from None
    return json_response(to_view(context.resource, obj))


def _patch_options_invalid(reason: str, message: str, field: str) -> errors.ApiError:
    return errors.invalid("PatchOptions", "meta.k8s.io", "", [{"reason": reason, "message": message, "field": field}])


async def patch(context: RequestContext) -> Response:
    media_type = _media_type(context)
    if media_type not in PATCHERS:
        raise errors.unsupported_media_type(media_type, list(PATCHERS))
    is_apply = media_type == APPLY_PATCH
    if is_apply and not context.query.get("fieldManager"):
        raise _patch_options_invalid(
            "FieldValueRequired", "Required value: is required for apply patch", "fieldManager"
        )
    force = context.query.get("force")
    if force is not None and not is_apply:
        raise _patch_options_invalid(
            "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch", "force"
        )
    body = await read_body(context.request, yaml_allowed=is_apply)
    if is_apply:
        body = _check_kind(context, body)
    try:
        obj, created = context.cluster.store.patch(
            context.stored,
            context.namespace,
            context.name,
            media_type,
            body,
            dry_run=context.dry_run,
            field_manager=_field_manager(context),
            force=(force or "").lower() in ("true", "1"),
            validate=True,
            user=context.user,
        )
    except (AttributeError, TypeError, KeyError, ValueError) as error:
        raise _malformed(error) from None
    return json_response(to_view(context.resource, obj), 201 if created else 200)


def _delete_options(context: RequestContext, body: Any) -> dict[str, Any]:
    """DeleteOptions from the body and the query (the query wins), validated like the real server."""
    options = dict(body) if isinstance(body, dict) else {}
    query = context.query
    if query.get("propagationPolicy"):
        options["propagationPolicy"] = query["propagationPolicy"]
    if query.get("gracePeriodSeconds") is not None:
        options["gracePeriodSeconds"] = _integer(context, "gracePeriodSeconds")
    orphan = query.get("orphanDependents", options.get("orphanDependents"))
    if orphan is not None and "propagationPolicy" not in options:
        options["propagationPolicy"] = "Orphan" if str(orphan).lower() == "true" else "Background"
    policy = options.get("propagationPolicy") or "Background"
    if policy not in PROPAGATION_POLICIES:
        supported = ", ".join(f'"{value}"' for value in ("Foreground", "Background", "Orphan"))
        raise errors.invalid(
            "DeleteOptions",
            "meta.k8s.io",
            "",
            [
                {
                    "reason": "FieldValueNotSupported",
                    "message": f'Unsupported value: "{policy}": supported values: {supported}',
                    "field": "propagationPolicy",
                }
            ],
        )
    options["propagationPolicy"] = policy
    grace = options.get("gracePeriodSeconds")
    if grace is not None and not isinstance(grace, int):
        raise errors.bad_request(f"gracePeriodSeconds: expected an integer, got {grace!r}")
    preconditions = options.get("preconditions")
    options["preconditions"] = preconditions if isinstance(preconditions, dict) else None
    return options


async def delete(context: RequestContext) -> Response:
    options = _delete_options(context, await read_body(context.request))
    dry_run = context.dry_run or "All" in (options.get("dryRun") or [])
    obj, deleted = context.cluster.store.delete(
        context.stored,
        context.namespace,
        context.name,
        dry_run=dry_run,
        propagation=options["propagationPolicy"],
        preconditions=options["preconditions"],
        grace_period_seconds=options.get("gracePeriodSeconds"),
    )
    resource = context.resource
    if resource.returns_deleted_object or not deleted:
        return json_response(to_view(resource, obj))
    return json_response(success_status(resource, obj))


async def delete_collection(context: RequestContext) -> Response:
    options = _delete_options(context, await read_body(context.request))
    deleted = context.cluster.store.delete_collection(
        context.stored,
        context.namespace,
        label_selector=context.query.get("labelSelector", ""),
        field_selector=context.query.get("fieldSelector", ""),
        dry_run=context.dry_run or "All" in (options.get("dryRun") or []),
        propagation=options["propagationPolicy"],
        grace_period_seconds=options.get("gracePeriodSeconds"),
    )
    metadata = {"resourceVersion": str(context.cluster.store.resource_version)}
    return json_response(_list_body(context, deleted, metadata))


async def get(context: RequestContext) -> Response:
    obj = context.cluster.store.get(context.stored, context.namespace, context.name)
    if wants_table(context.request.headers.get("accept")):
        body = table(
            context.stored,
            [obj],
            resource_version=obj["metadata"]["resourceVersion"],
            include_object=context.query.get("includeObject", "Metadata"),
        )
        return json_response(body)
    return json_response(to_view(context.resource, obj))


# Verb → handler for collection and item URLs.
collection = {
    "GET": ("list", list_or_watch),
    "POST": ("create", create),
    "DELETE": ("deletecollection", delete_collection),
}
item = {"GET": ("get", get), "PUT": ("update", update), "PATCH": ("patch", patch), "DELETE": ("delete", delete)}
