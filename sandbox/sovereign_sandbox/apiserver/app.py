"""The Kubernetes API server as a Starlette app: authentication, routing, discovery and resource requests."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver import discovery, handlers
from sovereign_sandbox.apiserver.conversions import storage_resource
from sovereign_sandbox.apiserver.responses import (
    PageNotFound,
    RequestContext,
    error_response,
    json_response,
    page_not_found,
)
from sovereign_sandbox.apiserver.subresources import SUBRESOURCE_HANDLERS, register_subresource
from sovereign_sandbox.auth import reviews
from sovereign_sandbox.auth.authentication import User, authenticate_request
from sovereign_sandbox.auth.authorization import Attributes, forbidden_error
from sovereign_sandbox.auth.impersonation import impersonate
from sovereign_sandbox.cluster import ApiWrite, Cluster
from sovereign_sandbox.errors import ApiError
from sovereign_sandbox.node import metrics
from sovereign_sandbox.node.exec import refuse_without_upgrade, serve_websocket
from sovereign_sandbox.node.logs import serve_log
from sovereign_sandbox.storage.resources import ResourceType

__all__ = ["create_app"]

_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PUBLIC_PATHS = {"/healthz", "/livez", "/readyz", "/version"}
# Serves the sandbox-only admin paths (`/sandbox/...`) for an authenticated caller.
AdminHandler = Callable[[Request, User], Awaitable[Response]]


def _not_found() -> ApiError:
    """What a served API group/version answers for a path it has no route for (go-restful's 404 Status)."""
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


# Namespace subresources, which `/namespaces/<name>/<segment>` names instead of a resource inside it.
_NAMESPACE_SUBRESOURCES = {"status", "finalize"}
_WRITE_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


def _requested_attributes(request: Request, group: str, segments: list[str]) -> Attributes:
    """What any resource path asks for, served or not, read as apiserver's `RequestInfoFactory` reads it.

    The real server authorizes before routing, so a path nothing serves is still a 403 for whoever may
    not make that request.
    """
    watch = bool(segments) and segments[0] == "watch"
    if watch:
        segments = segments[1:]
    namespace = ""
    if len(segments) >= 2 and segments[0] == "namespaces":
        namespace = segments[1]
        if len(segments) > 2 and segments[2] not in _NAMESPACE_SUBRESOURCES:
            segments = segments[2:]
    resource, name, subresource = (*segments, "", "", "")[:3]
    if request.method in _WRITE_VERBS:
        verb = _WRITE_VERBS[request.method]
    elif request.method == "DELETE":
        verb = "delete" if name else "deletecollection"
    elif watch or request.query_params.get("watch", "").lower() in ("true", "1"):
        verb = "watch"
    else:
        verb = "get" if name else "list"
    return Attributes(verb, group, resource, subresource, namespace, name, request.url.path)


@dataclass(frozen=True, slots=True)
class _Target:
    resource: ResourceType
    namespace: str | None
    name: str
    subresource: str


def _resolve(cluster: Cluster, group: str, version: str, segments: list[str]) -> _Target:
    """Map the path after `/api/v1` or `/apis/<g>/<v>` to a resource, namespace, name and subresource."""
    catalogue = cluster.catalogue
    if segments and segments[0] == "watch":  # the deprecated /watch/ prefix
        segments = segments[1:]
    namespace: str | None = None
    if len(segments) >= 3 and segments[0] == "namespaces":
        candidate = catalogue.get(group, version, segments[2])
        if candidate is not None and candidate.namespaced:
            namespace, segments = segments[1], segments[2:]
    if not segments or len(segments) > 3:
        raise _not_found()
    resource = catalogue.get(group, version, segments[0])
    if resource is None or (namespace is not None and not resource.namespaced):
        raise _not_found()
    name = segments[1] if len(segments) > 1 else ""
    subresource = segments[2] if len(segments) > 2 else ""
    if subresource and resource.subresource(subresource) is None:
        raise _not_found()
    return _Target(resource, namespace, name, subresource)


def _is_stored_write(request: Request, path: str, response: Response) -> bool:
    """An accepted write that changed what is stored: not a dry run, not a review (access and token reviews are
    created, answered and never kept)."""
    return (
        request.method in _WRITE_METHODS
        and response.status_code < 400
        and "dryRun" not in request.query_params
        and not path.endswith("reviews")
    )


class _ApiServer:
    def __init__(self, cluster: Cluster, anonymous: User | None, server_address: str):
        self.cluster = cluster
        self.anonymous = anonymous
        self.server_address = server_address
        self.admin: AdminHandler | None = None

    async def identify(self, connection: HTTPConnection, path: str) -> User:
        """Who an HTTP or WebSocket request acts as: its token's user, after impersonation."""
        authorization = connection.headers.get("authorization")
        if path in _PUBLIC_PATHS and not authorization:
            user = self.anonymous or User("system:anonymous", ("system:unauthenticated",))
        else:
            user = await authenticate_request(
                authorization, self.cluster.tokens, self.anonymous, self.cluster.token_verifier
            )
        return impersonate(connection.headers, user, self.cluster.authorize)

    async def handle_websocket(self, websocket: WebSocket) -> None:
        """exec/attach streams; any error before the upgrade is answered as a Status (non-101)."""
        path = websocket.url.path.rstrip("/") or "/"
        try:
            user = await self.identify(websocket, path)
            await serve_websocket(websocket, self.cluster, user, path)
        except ApiError as error:
            await websocket.send_denial_response(error_response(error))

    async def handle(self, request: Request) -> Response:
        try:
            path = request.url.path.rstrip("/") or "/"
            user = await self.identify(request, path)
            if self.admin is not None and path.startswith("/sandbox/"):
                return await self.admin(request, user)
            response = await self._route(request, path, user)
        except ApiError as error:
            return error_response(error)
        except PageNotFound:
            return page_not_found()
        if _is_stored_write(request, path, response):
            self.cluster.api_writes.append(ApiWrite(user.name, user.groups, request.method, path, response.status_code))
        return response

    async def _route(self, request: Request, path: str, user: User) -> Response:
        catalogue = self.cluster.catalogue
        parts = path.strip("/").split("/")
        if not ((parts[0] == "api" and len(parts) > 2) or (parts[0] == "apis" and len(parts) > 3)):
            # Discovery, OpenAPI, version and health are non-resource URLs, authorized by path.
            attributes = Attributes(request.method.lower(), path=path)
            if not self.cluster.authorize(user, attributes).allowed:
                raise forbidden_error(user, attributes)
        if path in ("/healthz", "/livez", "/readyz"):
            return PlainTextResponse("ok")
        if path == "/version":
            return json_response(discovery.version_info())
        if path == "/openapi/v2":
            # An empty protobuf Document: kubectl's client-side validation then skips unknown kinds.
            return Response(b"", media_type="application/octet-stream")
        if path == "/openapi/v3":
            return json_response({"paths": {}})
        if parts[0] == "api":
            if len(parts) == 1:
                return json_response(discovery.api_versions(self.server_address))
            group, version, rest = "", parts[1], parts[2:]
        elif parts[0] == "apis" and len(parts) >= 2:
            group, rest = parts[1], parts[3:]
            version = parts[2] if len(parts) > 2 else ""
            if not version:
                body = discovery.api_group(catalogue, group)
                if body is None:
                    raise PageNotFound()
                return json_response(body)
        elif parts == ["apis"]:
            return json_response(discovery.api_group_list(catalogue))
        else:
            raise PageNotFound()
        if not rest:
            body = discovery.api_resource_list(catalogue, group, version)
            if body is None:
                raise PageNotFound()
            return json_response(body)
        try:
            target = _resolve(self.cluster, group, version, rest)
        except ApiError as error:
            if error.code != 404:
                raise
            attributes = _requested_attributes(request, group, rest)
            if not self.cluster.authorize(user, attributes).allowed:
                raise forbidden_error(user, attributes) from None
            # Built-in group versions are go-restful web services, which answer a Status; anything else (an
            # unserved group or version, or a CRD group without that resource) falls through to the mux.
            built_in = any(not resource.custom for resource in catalogue.in_group_version(group, version))
            if not built_in and catalogue.get(group, version, attributes.resource) is None:
                raise PageNotFound() from None
            raise
        return await self._resource_request(request, user, target)

    async def _resource_request(self, request: Request, user: User, target: _Target) -> Response:
        resource = target.resource
        table = handlers.item if target.name else handlers.collection
        if request.method == "POST" and target.subresource and target.name:
            verb, handler = "create", handlers.item["GET"][1]  # replaced by the subresource's handler below
        elif request.method not in table:
            raise errors.method_not_allowed(request.method, resource.plural, resource.group)
        else:
            verb, handler = table[request.method]
        handler = reviews.HANDLERS.get(resource.storage_key, handler)
        handler = metrics.HANDLERS.get(resource.storage_key, handler)
        if verb == "list" and request.query_params.get("watch", "").lower() in ("true", "1"):
            verb = "watch"
        if target.subresource:
            subresource_handler = SUBRESOURCE_HANDLERS.get(target.subresource)
            if subresource_handler is None:
                raise _not_found()
            handler = subresource_handler
            allowed_verbs = resource.subresource(target.subresource).verbs  # type: ignore[union-attr]
        else:
            allowed_verbs = resource.verbs
        if verb not in allowed_verbs:
            raise errors.method_not_allowed(verb, resource.plural, resource.group)
        if resource.namespaced and target.namespace is None and verb not in ("list", "watch", "deletecollection"):
            raise _not_found()
        attributes = Attributes(
            verb,
            resource.group,
            resource.plural,
            target.subresource,
            target.namespace or "",
            target.name,
            request.url.path,
        )
        if not self.cluster.authorize(user, attributes).allowed:
            raise forbidden_error(user, attributes)
        dry_run_values = request.query_params.getlist("dryRun")
        if any(value != "All" for value in dry_run_values):
            raise errors.bad_request(f"Invalid dryRun value: {dry_run_values}")
        context = RequestContext(
            cluster=self.cluster,
            request=request,
            user=user,
            resource=resource,
            stored=storage_resource(self.cluster.catalogue, resource),
            namespace=target.namespace,
            name=target.name,
            subresource=target.subresource,
            dry_run=bool(dry_run_values),
        )
        return await handler(context)


def create_app(
    cluster: Cluster,
    *,
    anonymous: User | None = None,
    server_address: str = "127.0.0.1:6443",
    admin: AdminHandler | None = None,
) -> Starlette:
    """An ASGI app serving `cluster`.

    Args:
        cluster: the state to serve.
        anonymous: who requests without a token act as; None answers them 401 (the HTTPS listener).
        server_address: host:port reported by `/api` discovery.
        admin: serves the sandbox-only admin paths under `/sandbox/` (fault injection), given the caller.
    """
    reviews.install(cluster.catalogue)
    metrics.install(cluster.catalogue)
    register_subresource("log", serve_log)
    register_subresource("exec", refuse_without_upgrade)
    register_subresource("attach", refuse_without_upgrade)
    server = _ApiServer(cluster, anonymous, server_address)
    server.admin = admin
    return Starlette(
        routes=[
            Route("/{path:path}", server.handle, methods=_METHODS),
            WebSocketRoute("/{path:path}", server.handle_websocket),
        ]
    )
