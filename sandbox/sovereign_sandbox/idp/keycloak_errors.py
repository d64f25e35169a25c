"""Keycloak's error codes and descriptions for the `OAuth2Error`s authlib raises (the HTTP status stays authlib's).

Clients and tests key on these strings ("Code not valid", "PKCE verification failed: Code mismatch"), so the
sandbox answers in Keycloak's words; errors raised by the sandbox's own grants already use them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from authlib.oauth2.rfc6749 import (
    InsecureTransportError,
    OAuth2Error,
    UnsupportedGrantTypeError,
    UnsupportedResponseTypeError,
)

__all__ = ["keycloak_wording"]

_NOT_ALLOWED = "Client is not allowed to initiate browser login with given response_type."
_NOT_STANDARD_FLOW = f"{_NOT_ALLOWED} Standard flow is disabled for the client."
_NOT_IMPLICIT_FLOW = f"{_NOT_ALLOWED} Implicit flow is disabled for the client."

# authlib's description → (Keycloak's error, Keycloak's description)
_EXACT: dict[str, tuple[str, str]] = {
    "Invalid 'redirect_uri' in request.": ("invalid_grant", "Incorrect redirect_uri"),
    "Missing 'redirect_uri' in request.": ("invalid_request", "Invalid parameter: redirect_uri"),
    "Missing 'code_verifier'": ("invalid_grant", "PKCE code verifier not specified"),
    "Invalid 'code_verifier'": ("invalid_grant", "PKCE invalid code verifier"),
    "Code challenge failed.": ("invalid_grant", "PKCE verification failed: Code mismatch"),
    "The authorization request had no 'code_challenge', but a 'code_verifier' was provided.": (
        "invalid_grant",
        "PKCE code verifier specified but challenge not present in authorization",
    ),
    "Missing 'code_challenge'": ("invalid_request", "Missing parameter: code_challenge"),
    "Invalid 'code_challenge'": ("invalid_request", "Invalid parameter: code_challenge"),
    "Unsupported 'code_challenge_method'": ("invalid_request", "Invalid parameter: invalid code_challenge_method"),
    "Invalid 'prompt' parameter.": ("invalid_request", "Invalid parameter: prompt"),
    "Missing 'client_id' parameter.": ("invalid_request", "Missing parameter: client_id"),
    "The client does not exist on this server.": ("invalid_client", "Client not found."),
}
_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(r"Missing '(\w+)' in request\."), "invalid_request", r"Missing parameter: \1"),
    (re.compile(r"Redirect URI .* is not supported by client\."), "invalid_request", "Invalid parameter: redirect_uri"),
    (re.compile(r"The client is not authorized to use 'response_type=.*'"), "unauthorized_client", _NOT_STANDARD_FLOW),
]


def keycloak_wording(error: OAuth2Error, parameters: Mapping[str, str] | None = None) -> OAuth2Error:
    """Rewrite `error`'s code and description in place as Keycloak words them; returns it.

    `parameters` are the request's; authlib 1.9 builds `UnsupportedResponseTypeError` with its arguments swapped,
    so the requested response_type is read from there.
    """
    if isinstance(error, UnsupportedGrantTypeError):
        missing = not error.grant_type
        error.error = "invalid_request" if missing else "unsupported_grant_type"
        error.description = "Missing form parameter: grant_type" if missing else "Unsupported grant_type"
    elif isinstance(error, UnsupportedResponseTypeError):
        missing = not (parameters or {}).get("response_type")
        error.error = "invalid_request" if missing else "unsupported_response_type"
        error.description = "Missing parameter: response_type" if missing else _NOT_IMPLICIT_FLOW
    elif isinstance(error, InsecureTransportError):
        error.error, error.description, error.status_code = "invalid_request", "HTTPS required", 403
    elif (exact := _EXACT.get(error.description or "")) is not None:
        error.error, error.description = exact
    else:
        for pattern, code, template in _PATTERNS:
            if match := pattern.fullmatch(error.description or ""):
                error.error, error.description = code, match.expand(template)
                break
    return error
