"""`serviceaccounts/<name>/token` (TokenRequest, `kubectl create token`): a bound service account token.

The real server signs a JWT with its service account key; the sandbox issues a token of the same shape
(header.claims.signature, the claims a real one carries) and accepts it as a bearer token from then on,
acting as the account (`system:serviceaccount:<namespace>:<name>`).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from sovereign_sandbox import errors
from sovereign_sandbox.apiserver.responses import RequestContext, json_response, read_body
from sovereign_sandbox.auth.authentication import User

__all__ = ["token_request"]

_ISSUER = "https://kubernetes.default.svc.cluster.local"
_DEFAULT_SECONDS = 3600
_MINIMUM_SECONDS = 600


def _segment(value: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _rfc3339(seconds: float) -> str:
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def token_request(context: RequestContext) -> Response:
    if context.request.method != "POST":
        raise errors.method_not_allowed(context.request.method, "serviceaccounts/token", "")
    account = context.cluster.store.get(context.stored, context.namespace, context.name)
    body = await read_body(context.request) or {}
    spec = dict(body.get("spec") or {}) if isinstance(body, dict) else {}
    seconds = int(spec.get("expirationSeconds") or _DEFAULT_SECONDS)
    if seconds < _MINIMUM_SECONDS:
        cause = {
            "reason": "FieldValueInvalid",
            "message": f"Invalid value: {seconds}: may not specify a duration less than 10 minutes",
            "field": "spec.expirationSeconds",
        }
        raise errors.invalid("TokenRequest", "authentication.k8s.io", context.name, [cause])
    audiences = list(spec.get("audiences") or [_ISSUER])
    issued = time.time()
    metadata = account["metadata"]
    subject = f"system:serviceaccount:{context.namespace}:{context.name}"
    claims = {
        "aud": audiences,
        "exp": int(issued) + seconds,
        "iat": int(issued),
        "iss": _ISSUER,
        "jti": secrets.token_hex(16),
        "kubernetes.io": {
            "namespace": context.namespace,
            "serviceaccount": {"name": context.name, "uid": metadata.get("uid", "")},
        },
        "nbf": int(issued),
        "sub": subject,
    }
    header = {"alg": "RS256", "kid": secrets.token_urlsafe(32)}
    token = f"{_segment(header)}.{_segment(claims)}.{secrets.token_urlsafe(256)}"
    if not context.dry_run:
        groups = ("system:serviceaccounts", f"system:serviceaccounts:{context.namespace}", "system:authenticated")
        context.cluster.tokens[token] = User(subject, groups, metadata.get("uid", ""))
    spec = {"audiences": audiences, "expirationSeconds": seconds, "boundObjectRef": spec.get("boundObjectRef")}
    answer = {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": context.name, "namespace": context.namespace, "creationTimestamp": _rfc3339(issued)},
        "spec": {key: value for key, value in spec.items() if value is not None},
        "status": {"token": token, "expirationTimestamp": _rfc3339(issued + seconds)},
    }
    return json_response(answer, 201)
