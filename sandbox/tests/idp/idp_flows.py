"""Helpers shared by the IdP tests: form parsing, PKCE, authorization request parameters."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

from sovereign_sandbox.idp import IdentityProvider

CALLBACK = "http://localhost:3000/auth/callback"


def form_action(html: str) -> str:
    match = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', html)
    assert match, "no login form in the page"
    return unescape(match.group(1))


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


@dataclass
class SignIn:
    code: str
    verifier: str
    nonce: str
    state: str
    callback: dict[str, str]


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def auth_params(idp: IdentityProvider, **extra: str) -> dict[str, str]:
    return {
        "client_id": idp.console_client_id,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": "openid profile email",
    } | extra
