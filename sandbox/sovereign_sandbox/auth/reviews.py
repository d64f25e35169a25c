"""Access reviews: the create-only, never-stored kinds that ask the authorizer a question.

SelfSubjectAccessReview (`kubectl auth can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`),
SelfSubjectReview (`kubectl auth whoami`) and SubjectAccessReview. The "self" kinds answer for the
request's user, which is the impersonated one when the request impersonates.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.responses import Response

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.responses import RequestContext, json_response, read_body
from sovereign_sandbox.auth.authentication import User, authenticate_request
from sovereign_sandbox.auth.authorization import Attributes
from sovereign_sandbox.storage.resources import Catalogue, ResourceType

__all__ = ["HANDLERS", "REVIEW_RESOURCES", "install"]

_AUTHORIZATION = "authorization.k8s.io"
_AUTHENTICATION = "authentication.k8s.io"


def _review(group: str, plural: str, kind: str) -> ResourceType:
    return ResourceType(group, "v1", plural, kind.lower(), kind, False, verbs=("create",), tracks_generation=False)


REVIEW_RESOURCES = (
    _review(_AUTHORIZATION, "selfsubjectaccessreviews", "SelfSubjectAccessReview"),
    _review(_AUTHORIZATION, "selfsubjectrulesreviews", "SelfSubjectRulesReview"),
    _review(_AUTHORIZATION, "subjectaccessreviews", "SubjectAccessReview"),
    _review(_AUTHENTICATION, "selfsubjectreviews", "SelfSubjectReview"),
)


def install(catalogue: Catalogue) -> None:
    """Serve the review kinds (discovery lists them with the single verb `create`)."""
    for resource in REVIEW_RESOURCES:
        catalogue.add(resource)


async def _body(context: RequestContext) -> dict[str, Any]:
    body = await read_body(context.request)
    if not isinstance(body, dict) or not isinstance(body.get("spec") or {}, dict):
        raise errors.bad_request("the body of the request must be a JSON object with an object spec")
    kind = context.resource.kind
    if body.get("kind") not in (None, "", kind):
        raise errors.bad_request(f"the kind in the data ({body['kind']}) does not match the expected kind ({kind})")
    return body


def _answer(context: RequestContext, body: dict[str, Any], spec: dict[str, Any], status: dict[str, Any]) -> Response:
    resource = context.resource
    answer = {
        "kind": resource.kind,
        "apiVersion": resource.api_version,
        "metadata": body.get("metadata") or {},
        "spec": spec,
        "status": status,
    }
    return json_response(answer, 201)


def _attributes(kind: str, spec: dict[str, Any]) -> Attributes:
    """The question a review's spec asks, as request attributes.

    Raises:
        ApiError: 422 unless exactly one of resourceAttributes and nonResourceAttributes is given.
    """
    resource, non_resource = spec.get("resourceAttributes") or {}, spec.get("nonResourceAttributes") or {}
    if not isinstance(resource, dict) or not isinstance(non_resource, dict):
        raise errors.bad_request("spec.resourceAttributes and spec.nonResourceAttributes must be objects")
    if bool(resource) == bool(non_resource):
        message = "exactly one of nonResourceAttributes or resourceAttributes must be specified"
        cause = {"reason": "FieldValueInvalid", "message": message, "field": "spec.resourceAttributes"}
        raise errors.invalid(kind, _AUTHORIZATION, "", [cause])
    if non_resource:
        return Attributes(non_resource.get("verb", ""), path=non_resource.get("path", ""))
    return Attributes(
        resource.get("verb", ""),
        resource.get("group", ""),
        resource.get("resource", ""),
        resource.get("subresource", ""),
        resource.get("namespace", ""),
        resource.get("name", ""),
    )


def _access_status(context: RequestContext, user: User, attributes: Attributes) -> dict[str, Any]:
    decision = context.cluster.authorize(user, attributes)
    status: dict[str, Any] = {"allowed": decision.allowed}
    if decision.reason:
        status["reason"] = decision.reason
    return status


async def _self_subject_access_review(context: RequestContext) -> Response:
    body = await _body(context)
    spec = body.get("spec") or {}
    attributes = _attributes(context.resource.kind, spec)
    return _answer(context, body, spec, _access_status(context, context.user, attributes))


async def _subject_access_review(context: RequestContext, body: dict[str, Any] | None = None) -> Response:
    body = body if body is not None else await _body(context)
    spec = body.get("spec") or {}
    if not spec.get("user") and not spec.get("groups"):
        cause = {"reason": "FieldValueInvalid", "message": "at least one of user or group must be specified"}
        raise errors.invalid(context.resource.kind, _AUTHORIZATION, "", [{**cause, "field": "spec.user"}])
    attributes = _attributes(context.resource.kind, spec)
    extra = tuple((key, tuple(values)) for key, values in (spec.get("extra") or {}).items())
    user = User(spec.get("user", ""), tuple(spec.get("groups") or ()), spec.get("uid", ""), extra)
    return _answer(context, body, spec, _access_status(context, user, attributes))


async def _self_subject_rules_review(context: RequestContext) -> Response:
    body = await _body(context)
    spec = body.get("spec") or {}
    lister = getattr(context.cluster.authorizer, "rules", None)
    if lister is None:  # an authorizer that cannot enumerate what it allows
        status = {"resourceRules": [], "nonResourceRules": [], "incomplete": True}
        return _answer(context, body, spec, status)
    rules = lister(context.user, spec.get("namespace", ""))
    status = {
        "resourceRules": [rule.as_resource_rule() for rule in rules if rule.resources],
        "nonResourceRules": [rule.as_non_resource_rule() for rule in rules if rule.non_resource_urls],
        "incomplete": False,
    }
    return _answer(context, body, spec, status)


async def _self_subject_review(context: RequestContext) -> Response:
    body = await _body(context)
    user = context.user
    info: dict[str, Any] = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra}
    resource = context.resource
    answer = {
        "kind": resource.kind,
        "apiVersion": resource.api_version,
        "metadata": body.get("metadata") or {},
        "status": {"userInfo": info},
    }
    return json_response(answer, 201)


async def _local_subject_access_review(context: RequestContext) -> Response:
    """A SubjectAccessReview about the namespace in the URL (the catalogue serves the kind)."""
    body = await _body(context)
    spec = dict(body.get("spec") or {})
    attributes = spec.get("resourceAttributes")
    if isinstance(attributes, dict) and attributes:
        if attributes.get("namespace", context.namespace) != context.namespace:
            message = f"spec.resourceAttributes.namespace must match namespace: {context.namespace}"
            raise errors.bad_request(message)
        spec["resourceAttributes"] = {**attributes, "namespace": context.namespace}
    return await _subject_access_review(context, {**body, "spec": spec})


async def _token_review(context: RequestContext) -> Response:
    """Whether the token in the spec authenticates, and as whom (the catalogue serves the kind)."""
    body = await _body(context)
    spec = body.get("spec") or {}
    cluster = context.cluster
    try:
        user = await authenticate_request(
            f"Bearer {spec.get('token', '')}", cluster.tokens, None, cluster.token_verifier
        )
    except errors.ApiError:
        return _answer(context, body, spec, {"user": {}, "error": "invalid bearer token"})
    info: dict[str, Any] = {"username": user.name, "uid": user.uid, "groups": list(user.groups)}
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra}
    status = {"authenticated": True, "user": info, "audiences": list(spec.get("audiences") or [])}
    return _answer(context, body, spec, status)


# Storage key → the handler a POST to that review kind runs instead of the generic create.
HANDLERS: dict[str, Callable[[RequestContext], Awaitable[Response]]] = {
    REVIEW_RESOURCES[0].storage_key: _self_subject_access_review,
    REVIEW_RESOURCES[1].storage_key: _self_subject_rules_review,
    REVIEW_RESOURCES[2].storage_key: _subject_access_review,
    REVIEW_RESOURCES[3].storage_key: _self_subject_review,
    "authorization.k8s.io/localsubjectaccessreviews": _local_subject_access_review,
    "authentication.k8s.io/tokenreviews": _token_review,
}
